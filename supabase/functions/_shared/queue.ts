// Draining a pgmq queue, at-least-once: read a batch with a visibility timeout, process it, delete
// what succeeded; a failed message becomes visible again after an exponential backoff (2 s, 4 s,
// 8 s…) and after its last attempt moves to `<queue>_dlq` with the error. A worker killed mid-batch
// loses nothing: its messages reappear when their visibility timeout ends. Processors must be
// idempotent, since a message can be delivered twice.

import type { z } from "./deps.ts";
import type { Env, FunctionDeps } from "./platform.ts";

export interface QueueMessage<Payload> {
  msg_id: number;
  read_ct: number;
  enqueued_at: Date;
  message: Payload;
}

/** What a processor works with: the function's dependencies and the batch's settings. */
export interface BatchContext extends FunctionDeps {
  /** Seconds the batch stays invisible to other workers from the moment it was read. */
  visibilityTimeoutSeconds: number;
}

export interface QueueProcessor<Payload> {
  queue: string;
  batchSize: number;
  /** Seconds a read message stays invisible to other workers while this one processes it. */
  visibilityTimeoutSeconds: number;
  /** The setting that overrides visibilityTimeoutSeconds, when the processor has one. */
  visibilityTimeoutSetting?: string;
  /**
   * The shape of a message. One that does not fit is not processed: it fails with the reason, like
   * any failure (retried, then dead-lettered), so it can be inspected and replayed once mended.
   */
  message: z.ZodType<Payload>;
  /**
   * Processes a batch of valid messages. Returns the error of each message that failed, by
   * msg_id; throwing fails the whole batch.
   */
  process(context: BatchContext, messages: QueueMessage<Payload>[]): Promise<Map<number, string>>;
}

export interface DrainReport {
  queue: string;
  processed: number;
  retried: number;
  deadLettered: number;
}

function positiveSetting(env: Env, name: string | undefined, min: number): number | undefined {
  const configured = Number(name === undefined ? undefined : env.get(name));
  return Number.isInteger(configured) && configured >= min ? configured : undefined;
}

/** Attempts before a message is dead-lettered (QUEUE_MAX_ATTEMPTS, default 3). */
export function maxAttempts(env: Env): number {
  return positiveSetting(env, "QUEUE_MAX_ATTEMPTS", 1) ?? 3;
}

/** The processor's visibility timeout, or the one its setting gives (2 s at least). */
export function visibilityTimeoutSeconds(
  processor: Pick<QueueProcessor<unknown>, "visibilityTimeoutSeconds" | "visibilityTimeoutSetting">,
  env: Env,
): number {
  return positiveSetting(env, processor.visibilityTimeoutSetting, 2) ??
    processor.visibilityTimeoutSeconds;
}

/** Delay before the next attempt after `attempts` failed ones: 2 s, 4 s, 8 s… capped at 5 min. */
export function backoffSeconds(attempts: number): number {
  return Math.min(2 ** attempts, 300);
}

/**
 * The processingId a webhook answered with and wrote into the message (a notification request's
 * is its requestId), so that one request can be followed from its answer through the logs.
 */
function processingIdOf(payload: unknown): string | undefined {
  const { processingId, requestId } = (payload ?? {}) as Record<string, unknown>;
  const id = processingId ?? requestId;
  return typeof id === "string" ? id : undefined;
}

/** For a log line about these messages: ` (processingId …)` naming their requests, or "". */
export function tracedBy(messages: QueueMessage<unknown>[]): string {
  const ids = messages.map((message) => processingIdOf(message.message))
    .filter((id) => id !== undefined);
  return ids.length > 0 ? ` (processingId ${[...new Set(ids)].join(", ")})` : "";
}

/** How a message is named in logs: its id, and the request that caused it when there is one. */
function traceOf(message: QueueMessage<unknown>): string {
  return `message ${message.msg_id}${tracedBy([message])}`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Validates a batch, processes its valid messages, and returns the failures by msg_id. */
async function failuresOf<Payload>(
  context: BatchContext,
  processor: QueueProcessor<Payload>,
  messages: QueueMessage<unknown>[],
): Promise<Map<number, string>> {
  const failures = new Map<number, string>();
  const valid: QueueMessage<Payload>[] = [];
  for (const message of messages) {
    const parsed = processor.message.safeParse(message.message);
    if (parsed.success) {
      valid.push({ ...message, message: parsed.data });
      continue;
    }
    const problems = parsed.error.issues.map((issue) =>
      `${issue.path.join(".") || "(message)"}: ${issue.message}`
    );
    failures.set(message.msg_id, `invalid ${processor.queue} message: ${problems.join("; ")}`);
  }
  if (valid.length === 0) return failures;
  try {
    const processed = await processor.process(context, valid);
    for (const [messageId, error] of processed) failures.set(messageId, error);
  } catch (error) {
    for (const message of valid) failures.set(message.msg_id, reasonOf(error));
  }
  return failures;
}

/** Processes one batch; returns null when the queue had nothing visible. */
export async function processBatch<Payload>(
  deps: FunctionDeps,
  processor: QueueProcessor<Payload>,
): Promise<DrainReport | null> {
  const { sql, env } = deps;
  const context = {
    ...deps,
    visibilityTimeoutSeconds: visibilityTimeoutSeconds(processor, env),
  };
  const messages = await sql<QueueMessage<unknown>[]>`
    select msg_id, read_ct, enqueued_at, message
    from pgmq.read(${processor.queue}, ${context.visibilityTimeoutSeconds}, ${processor.batchSize})`;
  if (messages.length === 0) return null;
  for (const message of messages) message.msg_id = Number(message.msg_id);

  const failures = await failuresOf(context, processor, messages);
  const succeeded = messages.filter((message) => !failures.has(message.msg_id));
  if (succeeded.length > 0) {
    await sql`select pgmq.delete(${processor.queue}, ${
      succeeded.map((message) => message.msg_id)
    }::bigint[])`;
  }
  const report: DrainReport = {
    queue: processor.queue,
    processed: succeeded.length,
    retried: 0,
    deadLettered: 0,
  };
  for (const message of messages) {
    const error = failures.get(message.msg_id);
    if (error === undefined) continue;
    if (message.read_ct >= maxAttempts(env)) {
      await deadLetter(deps, processor.queue, message, error);
      report.deadLettered++;
    } else {
      const backoff = backoffSeconds(message.read_ct);
      console.error(
        `${processor.queue}: ${traceOf(message)} failed, retried in ${backoff} s: ${error}`,
      );
      await sql`select pgmq.set_vt(${processor.queue}, ${message.msg_id}::bigint, ${backoff}::integer)`;
      report.retried++;
    }
  }
  return report;
}

/** Moves a message to `<queue>_dlq` with the reason, in one transaction. */
async function deadLetter(
  { sql }: FunctionDeps,
  queue: string,
  message: QueueMessage<unknown>,
  error: string,
): Promise<void> {
  console.error(
    `${queue}: ${traceOf(message)} dead-lettered after ${message.read_ct} attempts: ${error}`,
  );
  await sql.begin(async (transaction) => {
    await transaction`select pgmq.send(${`${queue}_dlq`}, ${
      transaction.json({
        original_msg_id: message.msg_id,
        attempts: message.read_ct,
        error: error.slice(0, 2000),
        failed_at: new Date().toISOString(),
        message: message.message as never,
      })
    }::jsonb)`;
    await transaction`select pgmq.delete(${queue}, ${message.msg_id}::bigint)`;
  });
}

/** Processes batches until the queue is empty or the time budget is spent. */
export async function drainQueue<Payload>(
  deps: FunctionDeps,
  processor: QueueProcessor<Payload>,
  timeBudgetMs: number,
): Promise<DrainReport> {
  const deadline = Date.now() + timeBudgetMs;
  const total: DrainReport = { queue: processor.queue, processed: 0, retried: 0, deadLettered: 0 };
  while (Date.now() < deadline) {
    const report = await processBatch(deps, processor);
    if (!report) break;
    total.processed += report.processed;
    total.retried += report.retried;
    total.deadLettered += report.deadLettered;
  }
  return total;
}
