import { handleJobsAnalyze } from "./handler.ts";

Deno.serve(handleJobsAnalyze);
