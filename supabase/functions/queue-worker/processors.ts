// The queues the queue worker drains and the processor of each. Processors validate their messages
// (a malformed one fails and ends in `<queue>_dlq`) and are idempotent (delivery is at least once).

import type { QueueProcessor } from "../_shared/queue.ts";
import { candidateMatchingProcessor } from "./processors/candidate_matching.ts";
import { jobMatchingProcessor } from "./processors/job_matching.ts";
import { notificationsProcessor } from "./processors/notifications.ts";
import { postModerationProcessor } from "./processors/post_moderation.ts";

// The queues themselves are private.work_queues, the one list: a test checks that this one names
// exactly its queues.
export const workQueues = [
  "job_matching",
  "candidate_matching",
  "post_moderation",
  "notifications",
] as const;

export type WorkQueue = typeof workQueues[number];

export const processors: Record<WorkQueue, QueueProcessor<unknown>> = {
  job_matching: jobMatchingProcessor,
  candidate_matching: candidateMatchingProcessor,
  post_moderation: postModerationProcessor,
  notifications: notificationsProcessor,
};
