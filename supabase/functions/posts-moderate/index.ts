import { handlePostsModerate } from "./handler.ts";

Deno.serve(handlePostsModerate);
