// What job_matching and candidate_matching share: run the set-based SQL matcher once per distinct
// id of the batch (duplicates of one id are one run) and report failures by message. The SQL is
// idempotent, so a redelivered message only redoes a run that changes nothing.

import type { Sql } from "../../_shared/db.ts";
import { z } from "../../_shared/deps.ts";
import { type QueueProcessor, tracedBy } from "../../_shared/queue.ts";

type IdField = "jobId" | "candidateId";

/** `{<idField>: uuid, reason?, processingId?}`, as the triggers and jobs-analyze write it. */
export type MatchingMessage<Field extends IdField> = Record<Field, string> & {
  processingId?: string;
};

export interface MatchingProcessorOptions<Field extends IdField> {
  queue: string;
  idField: Field;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  /** Runs the matcher for one id and returns its summary (logged). */
  match(sql: Sql, id: string): Promise<Record<string, unknown>>;
}

export function matchingProcessor<Field extends IdField>(
  options: MatchingProcessorOptions<Field>,
): QueueProcessor<MatchingMessage<Field>> {
  const { queue, idField, match } = options;
  return {
    queue,
    batchSize: options.batchSize,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    // The key is computed, so zod cannot name it in the type: the type above says what it is.
    message: z.object({
      [idField]: z.uuid({ message: "must be a UUID" }),
      processingId: z.string().optional(),
    }) as unknown as z.ZodType<MatchingMessage<Field>>,
    async process({ sql }, messages) {
      const failures = new Map<number, string>();
      const messagesById = Map.groupBy(messages, (message) => message.message[idField]);
      for (const [id, sameId] of messagesById) {
        try {
          const summary = await match(sql, id);
          console.log(`${queue}: ${idField} ${id}${tracedBy(sameId)}: ${JSON.stringify(summary)}`);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          for (const message of sameId) failures.set(message.msg_id, reason);
        }
      }
      return failures;
    },
  };
}
