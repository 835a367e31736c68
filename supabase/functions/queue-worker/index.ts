import { handleQueueWorker } from "./handler.ts";

Deno.serve(handleQueueWorker);
