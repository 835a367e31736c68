// queue-health: the state of the background queues for admins and the service role.
// GET → {status, queues: {<queue>: {waiting, active, completed, failed}}, cron, timestamp}
//   waiting    visible messages, ready to be processed
//   active     read and not yet deleted: in flight, or waiting for a retry after a failure
//   completed  processed since the queue was created
//   failed     in the dead-letter queue `<queue>_dlq`
//   cron       the scheduled jobs (the sweep that wakes workers) and their last run
// status is "healthy", or "degraded" when a queue has dead letters or a scheduled job is inactive
// or failed its last run.

import { requireAdminOrService } from "../_shared/caller.ts";
import { defineEndpoint } from "../_shared/endpoint.ts";
import { jsonResponse } from "../_shared/http.ts";

interface QueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
}

interface CronJob {
  job: string;
  schedule: string;
  active: boolean;
  last_status: string | null;
  last_started_at: string | null;
}

export const createQueueHealthHandler = defineEndpoint({
  name: "queue-health",
  method: "GET",
  callers: "user_or_service",
  async handle({ caller, sql }) {
    requireAdminOrService(caller!);
    const [{ health }] = await sql<
      { health: { queues: Record<string, QueueCounts>; cron: CronJob[] } }[]
    >`select private.queue_health() as health`;
    const degraded = Object.values(health.queues).some((queue) => queue.failed > 0) ||
      health.cron.some((job) => !job.active || job.last_status === "failed");
    return jsonResponse(200, {
      status: degraded ? "degraded" : "healthy",
      queues: health.queues,
      cron: health.cron,
      timestamp: new Date().toISOString(),
    });
  },
});
