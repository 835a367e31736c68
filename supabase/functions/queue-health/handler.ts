// queue-health: the state of the background queues for admins and the service role.
// GET → {status, reasons, queues: {<queue>: {waiting, active, completed, failed,
//        oldest_visible_age_seconds}}, dead_letters, sweep, failed_cron_jobs, timestamp}
//   waiting    visible messages, ready to be processed
//   active     read and not yet deleted: in flight, or waiting for a retry after a failure
//   completed  processed since the queue was created
//   failed     in the dead-letter queue `<queue>_dlq`
//   oldest_visible_age_seconds  how long the oldest visible message has waited (null: none)
//   sweep      the pg_cron job that rings every queue's doorbell: schedule, last start, outcome
// status is "healthy", "degraded" or "failing" by the thresholds of
// private.queue_health_settings (docs/pipeline.md); reasons says why it is not healthy.

import { requireAdminOrService } from "../_shared/caller.ts";
import { defineEndpoint } from "../_shared/endpoint.ts";
import { jsonResponse } from "../_shared/http.ts";

export interface QueueHealth {
  status: "healthy" | "degraded" | "failing";
  reasons: string[];
  queues: Record<string, {
    waiting: number;
    active: number;
    completed: number;
    failed: number;
    oldest_visible_age_seconds: number | null;
  }>;
  dead_letters: number;
  sweep: {
    job: string | null;
    schedule: string | null;
    active: boolean | null;
    period_seconds: number | null;
    last_started_at: string | null;
    last_status: string | null;
  };
  failed_cron_jobs: { job: string; failed_at: string; message: string | null }[];
}

export const createQueueHealthHandler = defineEndpoint({
  name: "queue-health",
  method: "GET",
  callers: "user_or_service",
  async handle({ caller, sql }) {
    requireAdminOrService(caller!);
    const [{ health }] = await sql<{ health: QueueHealth }[]>`
      select private.queue_health() as health`;
    return jsonResponse(200, { ...health, timestamp: new Date().toISOString() });
  },
});
