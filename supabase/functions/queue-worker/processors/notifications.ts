// The notification dispatcher: drains the `notifications` queue. For each request it
//   1. expands it once, in one transaction (private.prepare_notification_delivery): audience,
//      preferences, quiet hours, and the recipients of each channel cut into chunks;
//   2. delivers the chunks still pending, in-app and OneSignal ones at the same time:
//      - in-app: private.deliver_in_app_chunk (rows + `user:<id>` Realtime broadcasts, two
//        statements per chunk whatever its size; a role's large audience gets one `inbox` event
//        on `role:<role>` instead), a few large chunks in parallel transactions;
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

/**
 * In-app rows written per transaction (at most), and such transactions at once per request. A
 * chunk costs two statements and a commit whatever its size, so its cost is its rows (their
 * indexes, member check and Realtime messages); 12,500 keeps that overhead small, and the
 * expansion cuts a larger audience into a multiple of the lanes of even chunks, so that no lane
 * idles at the end. Three lanes: the concurrency of the old backend's workers, and DB_POOL_SIZE's
 * default of 4 leaves a connection for recording the OneSignal attempts meanwhile.
 */
const IN_APP_CHUNK_SIZE = 12_500;
const IN_APP_CHUNKS_IN_PARALLEL = 3;

/**
 * A role's audience with more in-app recipients than this hears of its rows by one `inbox` event
 * on `role:<role>`, not one `notification` per member: hosted Realtime's messages/s quota (500 on
 * Pro, 2,500 on Team) takes 100,000 database broadcasts minutes to deliver, and writing them was a
 * third of a fan-out's in-app work (docs/notifications.md). 1,000 is two seconds of the Pro quota.
 */
export const MEMBER_BROADCASTS_MAX = 1_000;

interface PendingChunk {
  request_id: string;
  channel: OneSignalChannel | "in_app";
  chunk_index: number;
  send_after: Date | null;
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

/** Sends one chunk (with its retries); returns the number of HTTP requests it took. */
async function sendChunk(
  sql: Sql,
  config: OneSignalConfig,
  request: NotificationRequest,
  chunk: OneSignalChunk,
): Promise<number> {
  const idempotencyKey = chunkIdempotencyKey(request.requestId, chunk.channel, chunk.chunk_index);
  const [{ recipients }] = await sql<{ recipients: string[] }[]>`
    select recipients from private.notification_deliveries
    where request_id = ${chunk.request_id}::uuid and channel = ${chunk.channel}
      and chunk_index = ${chunk.chunk_index}::integer`;
  const body = createMessageBody(config, {
    channel: chunk.channel,
    externalIds: recipients,
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
  let requests = 0;
  await sendMessageWithRetries(config, body, async (result, attempt, durationMs) => {
    requests = attempt;
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
  return requests;
}

/**
 * Where one request's dispatch spent its time, in milliseconds. The in-app chunks and the
 * OneSignal requests run at the same time, so the busy times (summed over the parallel lanes)
 * overlap one another and the wall time of delivering.
 */
export interface DispatchTimings {
  requestId: string;
  chunks: number;
  inAppRows: number;
  /** Realtime messages written: one per in-app row, or a role's one `inbox` event. */
  broadcasts: number;
  /** The expansion: audience, preferences, chunks stored (prepare_notification_delivery). */
  preparingMs: number;
  /** Delivering, first chunk started → last chunk recorded, both kinds of chunks. */
  deliveringMs: number;
  /** Writing the inbox rows, summed over the in-app chunks. */
  inAppRowsMs: number;
  /** Writing their Realtime messages, summed over the in-app chunks. */
  broadcastsMs: number;
  /** In-app chunks end to end (round trip, status, commit), summed over the chunks. */
  inAppChunksMs: number;
  inAppLanes: number;
  /** OneSignal chunks end to end (requests, retries, attempts recorded), summed. */
  oneSignalMs: number;
  oneSignalRequests: number;
  oneSignalLanes: number;
  /** The end of the request: finish_notification_request (and the dead letter, if any). */
  finishingMs: number;
  totalMs: number;
}

/** Dispatches one request; returns an error when the message must be retried. */
async function dispatch(
  sql: Sql,
  config: OneSignalConfig | null,
  message: QueueMessage<NotificationRequest>,
  timings: DispatchTimings,
): Promise<string | null> {
  const request = message.message;
  const started = performance.now();
  // No recipients here: in-app chunks are written from their stored recipients, and each
  // OneSignal chunk reads its own when it is sent, beside the in-app lanes (shipping a fan-out's
  // 100,000s of ids with the expansion would make the one serial step longer).
  const pending = await sql<PendingChunk[]>`
    select request_id, channel, chunk_index, send_after
    from private.prepare_notification_delivery(
      ${sql.json(request as never)}::jsonb,
      ${config?.maxRecipientsPerRequest ?? ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST}::integer,
      ${IN_APP_CHUNK_SIZE}::integer,
      ${config !== null},
      ${IN_APP_CHUNKS_IN_PARALLEL}::integer,
      ${MEMBER_BROADCASTS_MAX}::integer)`;
  const delivering = performance.now();
  timings.preparingMs = delivering - started;
  timings.chunks = pending.length;
  const inApp = pending.filter((chunk) => chunk.channel === "in_app");
  const viaOneSignal = pending.filter((chunk): chunk is OneSignalChunk =>
    chunk.channel !== "in_app"
  );
  timings.inAppLanes = Math.min(IN_APP_CHUNKS_IN_PARALLEL, inApp.length);
  timings.oneSignalLanes = config ? Math.min(config.concurrency, viaOneSignal.length) : 0;
  await Promise.all([
    forEachConcurrently(inApp, IN_APP_CHUNKS_IN_PARALLEL, async (chunk) => {
      const chunkStarted = performance.now();
      const [written] = await sql<
        { written: number; broadcasts: number; rows_ms: number; broadcasts_ms: number }[]
      >`select written, broadcasts, rows_ms, broadcasts_ms
        from private.deliver_in_app_chunk(${chunk.request_id}::uuid, ${chunk.chunk_index}::integer)`;
      timings.inAppChunksMs += performance.now() - chunkStarted;
      timings.inAppRows += written.written;
      timings.broadcasts += written.broadcasts;
      timings.inAppRowsMs += written.rows_ms;
      timings.broadcastsMs += written.broadcasts_ms;
    }),
    config &&
    forEachConcurrently(viaOneSignal, config.concurrency, async (chunk) => {
      const chunkStarted = performance.now();
      const requests = await sendChunk(sql, config, request, chunk);
      timings.oneSignalRequests += requests;
      timings.oneSignalMs += performance.now() - chunkStarted;
    }),
  ]);
  const finishing = performance.now();
  timings.deliveringMs = finishing - delivering;

  try {
    return await finish(sql, message);
  } finally {
    timings.finishingMs = performance.now() - finishing;
    timings.totalMs = performance.now() - started;
  }
}

/** Ends the request: an error when the message must be retried, null when it is done. */
async function finish(
  sql: Sql,
  message: QueueMessage<NotificationRequest>,
): Promise<string | null> {
  const request = message.message;
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
  }
  return null;
}

function newTimings(requestId: string): DispatchTimings {
  return {
    requestId,
    chunks: 0,
    inAppRows: 0,
    broadcasts: 0,
    preparingMs: 0,
    deliveringMs: 0,
    inAppRowsMs: 0,
    broadcastsMs: 0,
    inAppChunksMs: 0,
    inAppLanes: 0,
    oneSignalMs: 0,
    oneSignalRequests: 0,
    oneSignalLanes: 0,
    finishingMs: 0,
    totalMs: 0,
  };
}

/** The log line of a dispatched request: its chunks and where the time went. */
function logDispatched(timings: DispatchTimings): void {
  const ms = (value: number) => Math.round(value);
  console.log(
    `notifications: processingId ${timings.requestId}: ${timings.chunks} chunk(s) done in ` +
      `${ms(timings.totalMs)} ms (preparing ${ms(timings.preparingMs)}, delivering ` +
      `${ms(timings.deliveringMs)}: ${timings.inAppRows} in-app rows ${
        ms(timings.inAppRowsMs)
      } + ` +
      `${timings.broadcasts} broadcast(s) ${ms(timings.broadcastsMs)} over ` +
      `${timings.inAppLanes} lane(s), ` +
      `${timings.oneSignalRequests} OneSignal request(s) ${ms(timings.oneSignalMs)} over ` +
      `${timings.oneSignalLanes} lane(s); finishing ${ms(timings.finishingMs)})`,
  );
}

/**
 * The processor's work on a batch, with what each dispatched request reports (by default its
 * log line; bench/notifications collects them for its breakdown).
 */
export async function processNotifications(
  { sql, env, visibilityTimeoutSeconds }: BatchContext,
  messages: QueueMessage<NotificationRequest>[],
  onDispatched: (timings: DispatchTimings) => void = logDispatched,
): Promise<Map<number, string>> {
  const config = oneSignalConfigFromEnv(env);
  const failures = new Map<number, string>();
  const heartbeat = keepInvisible(sql, messages, visibilityTimeoutSeconds);
  try {
    await forEachConcurrently(messages, REQUESTS_IN_PARALLEL, async (message) => {
      const timings = newTimings(message.message.requestId);
      try {
        const error = await dispatch(sql, config, message, timings);
        if (error) failures.set(message.msg_id, error);
        else onDispatched(timings);
      } catch (error) {
        failures.set(message.msg_id, error instanceof Error ? error.message : String(error));
      }
    });
  } finally {
    await heartbeat.stop();
  }
  return failures;
}

export const notificationsProcessor: QueueProcessor<NotificationRequest> = {
  queue: "notifications",
  batchSize: 10,
  // The dispatcher extends it while it works, so a long fan-out is not picked up twice, while a
  // dispatcher that died releases its messages within this time.
  visibilityTimeoutSeconds: 30,
  visibilityTimeoutSetting: "NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS",
  message: notificationRequestSchema,
  process: (context, messages) => processNotifications(context, messages),
};
