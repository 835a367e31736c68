import { platformDeps } from "../_shared/platform.ts";
import { createPostsModerateHandler } from "./handler.ts";

Deno.serve(createPostsModerateHandler(platformDeps()));
