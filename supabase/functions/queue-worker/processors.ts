// The queues the queue worker drains and the processor of each. Processors validate their messages
// (a malformed one fails and ends in `<queue>_dlq`) and are idempotent (delivery is at least once).

import type { QueueProcessor } from "../_shared/queue.ts";
import { candidateMatchingProcessor } from "./processors/candidate_matching.ts";
import { jobMatchingProcessor } from "./processors/job_matching.ts";
import { notificationsProcessor } from "./processors/notifications.ts";
import { postModerationProcessor } from "./processors/post_moderation.ts";

// The queues themselves are private.work_queues (the one list); a test checks that this record has
// a processor for each of them and for nothing else.
export const processors = {
  job_matching: jobMatchingProcessor,
  candidate_matching: candidateMatchingProcessor,
  post_moderation: postModerationProcessor,
  notifications: notificationsProcessor,
} satisfies Record<string, QueueProcessor<unknown>>;

export type WorkQueue = keyof typeof processors;

export const workQueues = Object.keys(processors) as [WorkQueue, ...WorkQueue[]];
