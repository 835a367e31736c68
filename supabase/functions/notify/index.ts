import { platformDeps } from "../_shared/platform.ts";
import { createNotifyHandler } from "./handler.ts";

Deno.serve(createNotifyHandler(platformDeps()));
