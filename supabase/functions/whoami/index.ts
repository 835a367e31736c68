import { handleWhoami } from "./handler.ts";

Deno.serve(handleWhoami);
