// What job_matching and candidate_matching share: validate each message, run the set-based SQL
// matcher once per distinct id of the batch (duplicates of one id are one run), report failures by
// message. The SQL is idempotent, so a redelivered message only redoes a run that changes nothing.

import type { Sql } from "../../_shared/db.ts";
import { z } from "../../_shared/deps.ts";
import type { QueueMessage } from "../../_shared/queue.ts";

export type MatchRunner = (sql: Sql, id: string) => Promise<Record<string, unknown>>;

/**
 * Processes a batch of `{<idField>: uuid, …}` messages. An invalid message fails (and ends in the
 * dead-letter queue after its last attempt); a failed run fails every message of its id.
 */
export async function processMatchingBatch(
  queue: string,
  idField: "jobId" | "candidateId",
  run: MatchRunner,
  sql: Sql,
  messages: QueueMessage<unknown>[],
): Promise<Map<number, string>> {
  const schema = z.object({ [idField]: z.uuid() });
  const failures = new Map<number, string>();
  const messagesById = new Map<string, number[]>();
  for (const message of messages) {
    const parsed = schema.safeParse(message.message);
    if (!parsed.success) {
      failures.set(message.msg_id, `invalid ${queue} message: ${idField} must be a UUID`);
      continue;
    }
    const id = (parsed.data as Record<string, string>)[idField];
    messagesById.set(id, [...messagesById.get(id) ?? [], message.msg_id]);
  }
  for (const [id, messageIds] of messagesById) {
    try {
      const summary = await run(sql, id);
      console.log(`${queue}: ${JSON.stringify(summary)}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const messageId of messageIds) failures.set(messageId, reason);
    }
  }
  return failures;
}
