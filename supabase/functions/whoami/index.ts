import { platformDeps } from "../_shared/platform.ts";
import { createWhoamiHandler } from "./handler.ts";

Deno.serve(createWhoamiHandler(platformDeps()));
