// The notification dispatcher: drains the `notifications` queue. For each request it
//   1. expands it once, in one transaction (private.prepare_notification_delivery): audience,
//      preferences, quiet hours, and the recipients of each channel cut into chunks;
//   2. delivers the chunks still pending, in-app and OneSignal ones at the same time:
//      - in-app: private.deliver_in_app_chunk (rows + `user:<id>` Realtime broadcasts), a few
//        chunks in parallel transactions;
//      - push, email, SMS: one OneSignal request per chunk, a few at a time, each with its
//        idempotency key, retrying transient failures (429, 5xx, time-outs) with backoff and
//        recording every attempt (private.record_notification_attempt);
//   3. ends the message: done when no chunk is pending; retried by the queue (backoff, then the
//      DLQ after the last attempt) while some chunk still fails transiently; sent to the DLQ at
//      once, with the failures, when a chunk failed permanently (a 4xx will not get better).
// A dispatcher killed anywhere loses nothing and duplicates nothing: its message reappears after
// the visibility timeout, the expansion is not redone, and chunks it sent without recording the
// answer are sent again with the same idempotency key, which OneSignal deduplicates.

import type { Sql } from "../../_shared/db.ts";
import {
  type NotificationRequest,
  notificationRequestSchema,
} from "../../_shared/notification_request.ts";
import {
  type AttemptResult,
  chunkIdempotencyKey,
  createMessageBody,
  ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST,
  type OneSignalChannel,
  type OneSignalConfig,
  oneSignalConfigFromEnv,
  sendMessageWithRetries,
} from "../../_shared/onesignal.ts";
import type { BatchContext, QueueMessage, QueueProcessor } from "../../_shared/queue.ts";

/** Requests dispatched at once within a batch (each may fan out to many chunks). */
const REQUESTS_IN_PARALLEL = 4;

/** In-app rows written per transaction, and such transactions at once per request. */
const IN_APP_CHUNK_SIZE = 5_000;
const IN_APP_CHUNKS_IN_PARALLEL = 2;

interface PendingChunk {
  request_id: string;
  channel: OneSignalChannel | "in_app";
  chunk_index: number;
  send_after: Date | null;
  recipients: string[];
}

type OneSignalChunk = PendingChunk & { channel: OneSignalChannel };

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

/** Keeps the batch invisible while it is being worked on; stop() before answering the queue. */
function keepInvisible(sql: Sql, messages: QueueMessage<NotificationRequest>[], seconds: number) {
  let extending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    extending = sql`
      select pgmq.set_vt('notifications', msg_id, ${seconds}::integer)
      from unnest(${messages.map((message) => message.msg_id)}::bigint[]) as msg_id`
      .catch((error) =>
        console.error("notifications: visibility extension failed:", error.message)
      );
  }, Math.max(1000, (seconds * 1000) / 3));
  return {
    async stop() {
      clearInterval(timer);
      await extending;
    },
  };
}

/** The answer kept in the attempt log: invalid_aliases is summarised (ids go to their column). */
function loggedResponse(result: AttemptResult): unknown {
  if (result.outcome !== "sent" || result.invalidExternalIds.length === 0) return result.response;
  const response = result.response as Record<string, unknown>;
  return {
    ...response,
    errors: { invalid_aliases: { external_id_count: result.invalidExternalIds.length } },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function sendChunk(
  sql: Sql,
  config: OneSignalConfig,
  request: NotificationRequest,
  chunk: OneSignalChunk,
): Promise<void> {
  const idempotencyKey = chunkIdempotencyKey(request.requestId, chunk.channel, chunk.chunk_index);
  const body = createMessageBody(config, {
    channel: chunk.channel,
    externalIds: chunk.recipients,
    idempotencyKey,
    sendAfter: chunk.send_after,
    content: {
      title: request.title,
      body: request.body,
      data: { ...request.data, type: request.type, requestId: request.requestId },
      collapseKey: request.collapseKey,
      name: `${request.type}:${request.requestId}`,
    },
  });
  await sendMessageWithRetries(config, body, async (result, _attempt, durationMs) => {
    const invalid = result.outcome === "sent"
      ? result.invalidExternalIds.filter((id) => UUID.test(id))
      : [];
    await sql`
      select private.record_notification_attempt(
        ${chunk.request_id}::uuid, ${chunk.channel}, ${chunk.chunk_index}::integer,
        ${idempotencyKey}::uuid, ${result.outcome}, ${result.httpStatus}::integer,
        ${sql.json(loggedResponse(result) as never)}::jsonb,
        ${"error" in result ? result.error : null}, ${durationMs}::integer,
        ${result.outcome === "sent" ? result.notificationId : null},
        ${invalid}::uuid[])`;
  });
}

/** Dispatches one request; returns an error when the message must be retried. */
async function dispatch(
  sql: Sql,
  config: OneSignalConfig | null,
  message: QueueMessage<NotificationRequest>,
): Promise<string | null> {
  const request = message.message;
  const pending = await sql<PendingChunk[]>`
    select request_id, channel, chunk_index, send_after, recipients
    from private.prepare_notification_delivery(
      ${sql.json(request as never)}::jsonb,
      ${config?.maxRecipientsPerRequest ?? ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST}::integer,
      ${IN_APP_CHUNK_SIZE}::integer,
      ${config !== null})`;
  const inApp = pending.filter((chunk) => chunk.channel === "in_app");
  const viaOneSignal = pending.filter((chunk): chunk is OneSignalChunk =>
    chunk.channel !== "in_app"
  );
  await Promise.all([
    forEachConcurrently(inApp, IN_APP_CHUNKS_IN_PARALLEL, async (chunk) => {
      await sql`select private.deliver_in_app_chunk(
        ${chunk.request_id}::uuid, ${chunk.chunk_index}::integer)`;
    }),
    config &&
    forEachConcurrently(
      viaOneSignal,
      config.concurrency,
      (chunk) => sendChunk(sql, config, request, chunk),
    ),
  ]);

  const [outcome] = await sql<{ pending: number; failed: number; failures: unknown[] }[]>`
    select pending, failed, failures
    from private.finish_notification_request(${request.requestId}::uuid)`;
  if (outcome.pending > 0) {
    return `${outcome.pending} chunk(s) still failing transiently; retried later`;
  }
  if (outcome.failed > 0) {
    const reasons = [
      ...new Set(
        (outcome.failures as { channel: string; http_status: number | null; error: string }[])
          .map((failure) => `${failure.channel}: HTTP ${failure.http_status} ${failure.error}`),
      ),
    ];
    const error = `${outcome.failed} chunk(s) failed permanently (${reasons.join("; ")})`;
    console.error(`notifications: processingId ${request.requestId} dead-lettered: ${error}`);
    await sql`
      select private.dead_letter_notification_request(
        ${request.requestId}::uuid, ${message.msg_id}::bigint, ${message.read_ct}::integer,
        ${sql.json(request as never)}::jsonb, ${error},
        ${sql.json(outcome.failures as never)}::jsonb)`;
    return null;
  }
  console.log(`notifications: processingId ${request.requestId}: ${pending.length} chunk(s) done`);
  return null;
}

export const notificationsProcessor: QueueProcessor<NotificationRequest> = {
  queue: "notifications",
  batchSize: 10,
  // The dispatcher extends it while it works, so a long fan-out is not picked up twice, while a
  // dispatcher that died releases its messages within this time.
  visibilityTimeoutSeconds: 30,
  visibilityTimeoutSetting: "NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS",
  message: notificationRequestSchema,
  async process({ sql, env, visibilityTimeoutSeconds }: BatchContext, messages) {
    const config = oneSignalConfigFromEnv(env);
    const failures = new Map<number, string>();
    const heartbeat = keepInvisible(sql, messages, visibilityTimeoutSeconds);
    try {
      await forEachConcurrently(messages, REQUESTS_IN_PARALLEL, async (message) => {
        try {
          const error = await dispatch(sql, config, message);
          if (error) failures.set(message.msg_id, error);
        } catch (error) {
          failures.set(message.msg_id, error instanceof Error ? error.message : String(error));
        }
      });
    } finally {
      await heartbeat.stop();
    }
    return failures;
  },
};
