// job_matching: (re)matches an offer against every candidate (private.rematch), after it is
// published or changes, or when the jobs-analyze webhook asks.

import { matchingProcessor } from "./matching.ts";

export const jobMatchingProcessor = matchingProcessor({
  queue: "job_matching",
  idField: "jobId",
  // One run scores every candidate sharing a skill with the offer: few per batch, and time enough
  // for a large candidate base before the message is handed to another worker.
  batchSize: 4,
  visibilityTimeoutSeconds: 120,
  async match(sql, jobId) {
    const [{ summary }] = await sql<{ summary: Record<string, unknown> }[]>`
      select private.rematch(array[${jobId}::uuid], '{}') as summary`;
    return summary;
  },
});
