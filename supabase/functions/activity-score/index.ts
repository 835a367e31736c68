import { handleActivityScore } from "./handler.ts";

Deno.serve(handleActivityScore);
