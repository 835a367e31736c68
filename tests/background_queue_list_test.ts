// The queue list lives in one place, private.work_queues: the queue worker has a processor for
// each of its queues and for nothing else, and each processor drains the queue it is filed under.

import assert from "node:assert/strict";
import { processors, workQueues } from "../supabase/functions/queue-worker/processors.ts";
import { sql } from "./_support/platform.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

Deno.test(
  "the queue worker's processors are exactly the work queues of the database",
  options,
  async () => {
    const rows = await sql<{ queue_name: string }[]>`
    select queue_name from private.work_queues order by queue_name`;
    assert.deepEqual([...workQueues].sort(), rows.map((row) => row.queue_name));
    for (const [queue, processor] of Object.entries(processors)) {
      assert.equal(
        processor.queue,
        queue,
      );
    }
  },
);
