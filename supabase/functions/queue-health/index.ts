import { handleQueueHealth } from "./handler.ts";

Deno.serve(handleQueueHealth);
