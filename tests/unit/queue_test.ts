// The queue drain (supabase/functions/_shared/queue.ts) on a fake database: messages are validated
// against the processor's schema before it sees them, a malformed one fails with the field at
// fault, is retried with backoff and dead-lettered after its last attempt, and its valid
// neighbours are processed with their typed payload. No platform needed.

import assert from "node:assert/strict";
import { z } from "../../supabase/functions/_shared/deps.ts";
import { processBatch, type QueueProcessor } from "../../supabase/functions/_shared/queue.ts";
import { fakePlatform } from "../_support/fake_platform.ts";

const valid = crypto.randomUUID();

/** A processor that records what it was given. */
function recordingProcessor(seen: string[]): QueueProcessor<{ jobId: string }> {
  return {
    queue: "unit_queue",
    batchSize: 10,
    visibilityTimeoutSeconds: 30,
    message: z.object({ jobId: z.uuid({ message: "must be a UUID" }) }),
    process(_context, messages) {
      seen.push(...messages.map((message) => message.message.jobId));
      return Promise.resolve(new Map());
    },
  };
}

Deno.test("a malformed message is retried, then dead-lettered; its neighbours pass", async () => {
  const batch = [
    { msg_id: "1", read_ct: 1, enqueued_at: new Date(), message: { jobId: valid } },
    { msg_id: "2", read_ct: 1, enqueued_at: new Date(), message: { jobId: "nope" } },
    {
      msg_id: "3",
      read_ct: 3,
      enqueued_at: new Date(),
      message: { jobId: 7, processingId: "p-3" },
    },
  ];
  const { deps, queries } = fakePlatform(
    {},
    (query) => query.text.includes("pgmq.read") ? structuredClone(batch) : undefined,
  );
  const seen: string[] = [];
  const report = await processBatch(deps, recordingProcessor(seen));

  assert.deepEqual(report, { queue: "unit_queue", processed: 1, retried: 1, deadLettered: 1 });
  assert.deepEqual(seen, [valid], "the processor saw the valid message only");
  const asked = queries.map((query) => query.text.replace(/\s+/g, " ").trim());
  const deleted = queries.find((query) => query.text.includes("pgmq.delete(") && query.values[1]);
  assert.deepEqual(deleted?.values, ["unit_queue", [1]]);
  const retried = queries.find((query) => query.text.includes("pgmq.set_vt"));
  assert.deepEqual(retried?.values, ["unit_queue", 2, 2], "message 2 back in 2 s");
  const deadLetter = queries.find((query) => query.text.includes("pgmq.send"));
  assert.equal(deadLetter?.values[0], "unit_queue_dlq");
  assert.deepEqual(
    { ...(deadLetter?.values[1] as Record<string, unknown>), failed_at: undefined },
    {
      original_msg_id: 3,
      attempts: 3,
      error: "invalid unit_queue message: jobId: must be a UUID",
      failed_at: undefined,
      message: { jobId: 7, processingId: "p-3" },
    },
  );
  assert.ok(
    asked.some((text) => /pgmq\.delete\(\$, \$::bigint\)/.test(text)),
    "removed from the queue",
  );
});

Deno.test("QUEUE_MAX_ATTEMPTS and the processor's visibility setting are read when the batch runs", async () => {
  const batch = [{ msg_id: "4", read_ct: 1, enqueued_at: new Date(), message: { jobId: "x" } }];
  const { deps, queries } = fakePlatform(
    { QUEUE_MAX_ATTEMPTS: "1", UNIT_VISIBILITY: "45" },
    (query) => query.text.includes("pgmq.read") ? structuredClone(batch) : undefined,
  );
  const report = await processBatch(deps, {
    ...recordingProcessor([]),
    visibilityTimeoutSetting: "UNIT_VISIBILITY",
  });
  assert.equal(report?.deadLettered, 1, "one attempt allowed");
  assert.deepEqual(queries[0].values, ["unit_queue", 45, 10]);
});
