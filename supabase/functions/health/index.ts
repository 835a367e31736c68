import { handleHealth } from "./handler.ts";

Deno.serve(handleHealth);
