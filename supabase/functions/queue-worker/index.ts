import { platformDeps } from "../_shared/platform.ts";
import { createQueueWorkerHandler } from "./handler.ts";

Deno.serve(createQueueWorkerHandler(platformDeps()));
