// pgmq under concurrency, which one pgTAP session cannot show (local/tests/database/pgmq.test.sql
// covers the rest of the API): readers on separate connections, inside open transactions, never
// get the same message (FOR UPDATE SKIP LOCKED), and a message that was read but not deleted comes
// back once its visibility timeout has passed.

import assert from "node:assert/strict";
import postgres from "postgres";
import { platform, sql } from "./_support/platform.ts";

interface Message {
  msg_id: string;
  read_ct: number;
  message: { n: number };
}

/** A fresh queue for one test, dropped afterwards. */
async function withQueue(body: (queue: string) => Promise<void>): Promise<void> {
  const queue = `test_concurrency_${crypto.randomUUID().slice(0, 8)}`;
  await sql`select pgmq.create(${queue})`;
  try {
    await body(queue);
  } finally {
    await sql`select pgmq.drop_queue(${queue})`;
  }
}

async function sendNumbered(queue: string, count: number): Promise<void> {
  await sql`
    select pgmq.send_batch(
      ${queue},
      array(select jsonb_build_object('n', n) from generate_series(0, ${count} - 1) as n)
    )`;
}

Deno.test("two readers in open transactions never receive the same message", async () => {
  await withQueue(async (queue) => {
    await sendNumbered(queue, 5);
    let firstHasRead!: () => void;
    const firstRead = new Promise<void>((resolve) => firstHasRead = resolve);
    let secondHasRead!: () => void;
    const secondRead = new Promise<void>((resolve) => secondHasRead = resolve);

    // The first reader claims 3 messages and keeps its transaction open while the second reads.
    const first = sql.begin(async (transaction) => {
      const messages = await transaction<Message[]>`select * from pgmq.read(${queue}, 30, 3)`;
      firstHasRead();
      await secondRead;
      return messages;
    });
    await firstRead;
    const second = await sql.begin(async (transaction) => {
      const messages = await transaction<Message[]>`select * from pgmq.read(${queue}, 30, 5)`;
      secondHasRead();
      return messages;
    });

    const firstIds = (await first).map((message) => message.message.n);
    const secondIds = second.map((message) => message.message.n);
    assert.deepEqual(firstIds, [0, 1, 2], "FIFO by msg_id");
    assert.deepEqual(secondIds, [3, 4], "rows locked by the open transaction are skipped");
  });
});

Deno.test("many concurrent readers share a queue: each message exactly once", async () => {
  const readers = 8;
  const pool = postgres(platform.databaseUrl, { max: readers, onnotice: () => {} });
  try {
    await withQueue(async (queue) => {
      await sendNumbered(queue, 200);
      const received: number[] = [];
      await Promise.all(Array.from({ length: readers }, async () => {
        for (;;) {
          // One transaction per batch, as a worker's read and its processing would be.
          const batch = await pool.begin((transaction) =>
            transaction<Message[]>`select * from pgmq.read(${queue}, 30, 3)`
          );
          if (batch.length === 0) return;
          received.push(...batch.map((message) => message.message.n));
        }
      }));
      assert.equal(received.length, 200, "no message delivered twice");
      assert.equal(new Set(received).size, 200, "none lost");
    });
  } finally {
    await pool.end();
  }
});

Deno.test(
  "a message read but not deleted is redelivered after its visibility timeout",
  async () => {
    await withQueue(async (queue) => {
      await sendNumbered(queue, 1);
      // A worker reads it for 1 second, then dies without deleting or archiving it.
      const [taken] = await sql<Message[]>`select * from pgmq.read(${queue}, 1, 1)`;
      assert.equal(taken.read_ct, 1);
      const whileInvisible = await sql<Message[]>`select * from pgmq.read(${queue}, 1, 1)`;
      assert.equal(whileInvisible.length, 0, "invisible until the timeout");

      await new Promise((resolve) => setTimeout(resolve, 1100));
      const [again] = await sql<Message[]>`select * from pgmq.read(${queue}, 30, 1)`;
      assert.equal(again?.msg_id, taken.msg_id, "the same message comes back");
      assert.equal(again.read_ct, 2, "read_ct counts the deliveries");
    });
  },
);
