import { platformDeps } from "../_shared/platform.ts";
import { createJobsAnalyzeHandler } from "./handler.ts";

Deno.serve(createJobsAnalyzeHandler(platformDeps()));
