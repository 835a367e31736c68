// queue-worker: woken by the pg_net doorbell (or the pg_cron sweep) with {queue}, it drains that
// queue in the background and answers at once. Callers present the webhook secret.

import { z } from "../_shared/deps.ts";
import { accepted, defineWebhook } from "../_shared/endpoint.ts";
import { drainQueue } from "../_shared/queue.ts";
import { processors, type WorkQueue, workQueues } from "./processors.ts";

/** How long one wake-up may keep draining before leaving the rest to the next one. */
const DRAIN_BUDGET_MS = 20_000;

/** At most one drain per queue at a time in this instance; other wake-ups join it. */
const drainsInFlight = new Map<WorkQueue, Promise<unknown>>();

declare const EdgeRuntime: { waitUntil(promise: Promise<unknown>): void } | undefined;

export const createQueueWorkerHandler = defineWebhook(
  "queue-worker",
  z.object({ queue: z.enum(workQueues) }).strict(),
  ({ body, env, sql }) => {
    const queue = body.queue;
    let drain = drainsInFlight.get(queue);
    if (!drain) {
      drain = drainQueue({ env, sql }, processors[queue], DRAIN_BUDGET_MS)
        .catch((error) => console.error(`queue-worker ${queue}:`, error.message))
        .finally(() => drainsInFlight.delete(queue));
      drainsInFlight.set(queue, drain);
    }
    // On hosted Supabase the runtime keeps the instance alive until the drain ends.
    if (typeof EdgeRuntime !== "undefined") EdgeRuntime.waitUntil(drain);
    return Promise.resolve(accepted({ queue, message: "Queue drain started" }));
  },
);
