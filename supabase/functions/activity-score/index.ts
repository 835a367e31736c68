import { platformDeps } from "../_shared/platform.ts";
import { createActivityScoreHandler } from "./handler.ts";

Deno.serve(createActivityScoreHandler(platformDeps()));
