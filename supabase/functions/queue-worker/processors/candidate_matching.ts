// candidate_matching: (re)matches a candidate whose profile changed against every published offer
// (private.rematch): new matches are added, those that no longer hold removed.

import { matchingProcessor } from "./matching.ts";

export const candidateMatchingProcessor = matchingProcessor({
  queue: "candidate_matching",
  idField: "candidateId",
  batchSize: 20,
  visibilityTimeoutSeconds: 60,
  async match(sql, candidateId) {
    const [{ summary }] = await sql<{ summary: Record<string, unknown> }[]>`
      select private.rematch('{}', array[${candidateId}::uuid]) as summary`;
    return summary;
  },
});
