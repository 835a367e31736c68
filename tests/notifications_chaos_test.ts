// Never lost, never twice: OneSignal (the stand-in) fails 30% of requests with 500 or 429 and
// answers some only after the client gave up, SMS is refused permanently (400), and the dispatcher
// working on the notification is killed mid-batch. The platform's own dispatcher (queue-worker,
// woken by the queue sweep once the killed one's visibility timeout ends) finishes the job.
// In the end every recipient got the notification exactly once per channel, and the only thing
// in the dead-letter queue is the request with its permanently refused SMS chunks.

import assert from "node:assert/strict";
import { eventually, platform, sql } from "./_support/platform.ts";
import {
  createMembers,
  enqueueClaimed,
  eventuallyWithSweep,
  reachedByChannel,
  standIn,
} from "./notifications/support.ts";

const MEMBERS = 1_000;
const CHILD_CHUNK_SIZE = 50;
/** Seconds a claimed message stays invisible without a heartbeat from its dispatcher. */
const VISIBILITY_SECONDS = 3;

interface Failure {
  channel: string;
  http_status: number;
}

Deno.test(
  "30% provider failures and a dispatcher killed mid-batch: every recipient notified once per channel",
  async () => {
    const oneSignal = standIn();
    await oneSignal.reset();
    const members = await createMembers(MEMBERS, { preferences: { sms_enabled: true } });
    const requestId = crypto.randomUUID();
    try {
      await oneSignal.setSubscriptions({ disabledChannels: ["sms"] });
      await oneSignal.setFaults({
        failureRate: 0.3,
        failureStatuses: [500, 429],
        retryAfterSeconds: 1,
        stallRate: 0.1,
        stallMs: 1_500,
        latencyMs: 20,
        seed: 42,
      });

      const claimed = await enqueueClaimed({
        requestId,
        type: "system",
        title: "Mise à jour des conditions",
        body: "Les conditions d'utilisation changent le 1er décembre.",
        data: {},
        audience: { userIds: members },
      }, VISIBILITY_SECONDS);

      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          "--no-prompt",
          new URL("./notifications/dispatcher_child.ts", import.meta.url).pathname,
          JSON.stringify(claimed),
        ],
        env: {
          SUPABASE_DB_URL: platform.databaseUrl,
          NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY_SECONDS),
          ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST: String(CHILD_CHUNK_SIZE),
          ONESIGNAL_CONCURRENCY: "2",
          ONESIGNAL_TIMEOUT_MS: "1000",
          ONESIGNAL_RETRY_BASE_MS: "200",
        },
        stdout: "piped",
        stderr: "piped",
      }).spawn();

      // Killed once it has made a good part of its OneSignal requests, chunks still pending.
      await eventually(async () => {
        const { requests } = await oneSignal.state();
        return requests.length >= 25 ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 20, what: "the dispatcher to be mid-batch" });
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL", "the dispatcher was killed, not finished");
      const [{ pending }] = await sql`
      select count(*)::int as pending from private.notification_deliveries
      where request_id = ${requestId} and status = 'pending'`;
      assert.ok(pending > 0, "it was killed with chunks left to send");

      // The platform's dispatcher takes over after the visibility timeout, woken by the sweep.
      const request = await eventuallyWithSweep(async () => {
        const [row] = await sql`
          select completed_at, dead_lettered_at, recipient_count
          from private.notification_requests where request_id = ${requestId}`;
        return row?.completed_at ? row : undefined;
      }, { timeoutMs: 90_000, what: "the request to be completed" });
      assert.equal(request.recipient_count, MEMBERS);

      const chunks = await sql<{ channel: string; status: string; count: number }[]>`
      select channel, status, count(*)::int from private.notification_deliveries
      where request_id = ${requestId} group by channel, status order by channel, status`;
      assert.deepEqual(chunks.map((chunk) => `${chunk.channel}:${chunk.status}`), [
        "email:sent",
        "in_app:sent",
        "push:sent",
        "sms:failed",
      ]);

      // Exactly once per channel, as OneSignal (deduplicating idempotency keys) delivered them.
      const state = await oneSignal.state();
      const reached = reachedByChannel(state.notifications, requestId);
      const sorted = (ids: string[]) => [...ids].sort();
      assert.deepEqual(sorted(reached.push), sorted(members), "push: everyone once");
      assert.deepEqual(sorted(reached.email), sorted(members), "email: everyone once");
      assert.deepEqual(reached.sms, [], "SMS refused by the provider");
      const [inApp] = await sql`
      select count(*)::int as rows, count(distinct user_id)::int as users
      from public.notifications where request_id = ${requestId}`;
      assert.deepEqual({ ...inApp }, { rows: MEMBERS, users: MEMBERS }, "in-app: everyone once");

      const outcomes = Object.groupBy(state.requests, (recorded) => recorded.outcome);
      console.log(
        `OneSignal requests: ${state.requests.length}, injected failures: ${
          outcomes.injected_failure?.length ?? 0
        }, answered too late: ${
          outcomes.created_then_stalled?.length ?? 0
        }, replays deduplicated: ${state.replays}`,
      );
      assert.ok((outcomes.injected_failure?.length ?? 0) > 0, "failures were injected");

      // The dead-letter queue holds this request once, for its permanent (SMS) failures only.
      const deadLetters = await sql<{ message: { error: string; failures: Failure[] } }[]>`
        select message from pgmq.q_notifications_dlq
        where message -> 'message' ->> 'requestId' = ${requestId}`;
      assert.equal(deadLetters.length, 1);
      assert.ok(request.dead_lettered_at);
      const { failures, error } = deadLetters[0].message;
      assert.equal(failures.length, chunks.find((chunk) => chunk.channel === "sms")!.count);
      assert.ok(
        failures.every((failure) => failure.channel === "sms" && failure.http_status === 400),
        error,
      );
      assert.match(error, /sms: HTTP 400 The sms channel is not set up/);
      const [{ queued }] = await sql`
      select count(*)::int as queued from pgmq.q_notifications
      where message ->> 'requestId' = ${requestId}`;
      assert.equal(queued, 0, "nothing left in the queue");
    } finally {
      await oneSignal.reset();
    }
  },
);
