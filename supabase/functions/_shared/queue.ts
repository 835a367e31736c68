// Draining a pgmq queue, at-least-once: read a batch with a visibility timeout, process it, delete
// what succeeded; a failed message becomes visible again after an exponential backoff (2 s, 4 s,
// 8 s…) and after its last attempt moves to `<queue>_dlq` with the error. A worker killed mid-batch
// loses nothing: its messages reappear when their visibility timeout ends. Processors must be
// idempotent, since a message can be delivered twice.

import type { Sql } from "./db.ts";

export interface QueueMessage<Payload> {
  msg_id: number;
  read_ct: number;
  enqueued_at: Date;
  message: Payload;
}

export interface QueueProcessor<Payload> {
  queue: string;
  batchSize: number;
  /** Seconds a read message stays invisible to other workers while this one processes it. */
  visibilityTimeoutSeconds: number;
  /**
   * Processes a batch. Returns the error of each message that failed, by msg_id; throwing fails
   * the whole batch.
   */
  process(sql: Sql, messages: QueueMessage<Payload>[]): Promise<Map<number, string>>;
}

export interface DrainReport {
  queue: string;
  processed: number;
  retried: number;
  deadLettered: number;
}

/** Attempts before a message is dead-lettered (QUEUE_MAX_ATTEMPTS, default 3). */
export function maxAttempts(): number {
  const configured = Number(Deno.env.get("QUEUE_MAX_ATTEMPTS"));
  return Number.isInteger(configured) && configured > 0 ? configured : 3;
}

/** Delay before the next attempt after `attempts` failed ones: 2 s, 4 s, 8 s… capped at 5 min. */
export function backoffSeconds(attempts: number): number {
  return Math.min(2 ** attempts, 300);
}

/** Processes one batch; returns null when the queue had nothing visible. */
export async function processBatch<Payload>(
  sql: Sql,
  processor: QueueProcessor<Payload>,
): Promise<DrainReport | null> {
  const messages = await sql<QueueMessage<Payload>[]>`
    select msg_id, read_ct, enqueued_at, message
    from pgmq.read(${processor.queue}, ${processor.visibilityTimeoutSeconds}, ${processor.batchSize})`;
  if (messages.length === 0) return null;
  for (const message of messages) message.msg_id = Number(message.msg_id);

  let failures: Map<number, string>;
  try {
    failures = await processor.process(sql, messages);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    failures = new Map(messages.map((message) => [message.msg_id, reason]));
  }

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
    if (message.read_ct >= maxAttempts()) {
      await deadLetter(sql, processor.queue, message, error);
      report.deadLettered++;
    } else {
      await sql`select pgmq.set_vt(${processor.queue}, ${message.msg_id}::bigint, ${
        backoffSeconds(message.read_ct)
      }::integer)`;
      report.retried++;
    }
  }
  return report;
}

/** Moves a message to `<queue>_dlq` with the reason, in one transaction. */
async function deadLetter<Payload>(
  sql: Sql,
  queue: string,
  message: QueueMessage<Payload>,
  error: string,
): Promise<void> {
  console.error(
    `${queue}: message ${message.msg_id} dead-lettered after ${message.read_ct} attempts`,
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
  sql: Sql,
  processor: QueueProcessor<Payload>,
  timeBudgetMs: number,
): Promise<DrainReport> {
  const deadline = Date.now() + timeBudgetMs;
  const total: DrainReport = { queue: processor.queue, processed: 0, retried: 0, deadLettered: 0 };
  while (Date.now() < deadline) {
    const report = await processBatch(sql, processor);
    if (!report) break;
    total.processed += report.processed;
    total.retried += report.retried;
    total.deadLettered += report.deadLettered;
  }
  return total;
}
