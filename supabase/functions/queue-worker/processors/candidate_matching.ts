// candidate_matching: (re)matches a candidate whose profile changed against every published offer
// (private.match_candidate): new matches are added, those that no longer hold removed.

import type { QueueProcessor } from "../../_shared/queue.ts";
import { processMatchingBatch } from "./matching.ts";

export const candidateMatchingProcessor: QueueProcessor<unknown> = {
  queue: "candidate_matching",
  batchSize: 20,
  visibilityTimeoutSeconds: 60,
  process(sql, messages) {
    return processMatchingBatch(
      "candidate_matching",
      "candidateId",
      async (sql, candidateId) => {
        const [{ summary }] = await sql<{ summary: Record<string, unknown> }[]>`
        select private.match_candidate(${candidateId}::uuid) as summary`;
        return summary;
      },
      sql,
      messages,
    );
  },
};
