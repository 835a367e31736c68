import { platformDeps } from "../_shared/platform.ts";
import { createQueueHealthHandler } from "./handler.ts";

Deno.serve(createQueueHealthHandler(platformDeps()));
