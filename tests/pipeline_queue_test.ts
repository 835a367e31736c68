// The queue contract of SPEC §1 with the pipeline's real processors: a worker killed in the middle
// of a batch loses nothing (its message comes back after the visibility timeout and is processed
// once more, idempotently); a poison message is retried with exponential backoff and lands in the
// dead-letter queue with its error after the third attempt; duplicates in a batch are one run.
// Each test uses its own queue (same processor, renamed) so the platform's worker never competes.

import assert from "node:assert/strict";
import { processBatch, type QueueProcessor } from "../supabase/functions/_shared/queue.ts";
import { jobMatchingProcessor } from "../supabase/functions/queue-worker/processors/job_matching.ts";
import { postModerationProcessor } from "../supabase/functions/queue-worker/processors/post_moderation.ts";
import { envFrom } from "../supabase/functions/_shared/platform.ts";
import { createUser, eventually, sql } from "./_support/platform.ts";
import { holdLocks, spawnJobMatchingWorker } from "./_support/queue_faults.ts";

/** What the processors get from the worker: settings (the defaults here) and the database. */
const deps = { env: envFrom({}), sql };

async function withQueue<Payload>(
  processor: QueueProcessor<Payload>,
  body: (queue: string, processor: QueueProcessor<Payload>) => Promise<void>,
): Promise<void> {
  const queue = `test_${processor.queue}_${crypto.randomUUID().slice(0, 8)}`;
  await sql`select pgmq.create(${queue}), pgmq.create(${queue + "_dlq"})`;
  try {
    await body(queue, { ...processor, queue, visibilityTimeoutSeconds: 2 });
  } finally {
    await sql`select pgmq.drop_queue(${queue}), pgmq.drop_queue(${queue + "_dlq"})`;
  }
}

interface Queued {
  msg_id: string;
  read_ct: number;
  message: Record<string, unknown>;
  invisible_for: number;
}

async function queued(queue: string): Promise<Queued[]> {
  const rows = await sql.unsafe(
    `select msg_id, read_ct, message, extract(epoch from vt - clock_timestamp())::float8
       as invisible_for
     from pgmq.q_${queue} order by msg_id`,
  );
  return [...rows] as unknown as Queued[];
}

/** A published offer (not queued anywhere: published with triggers off) and two candidates. */
async function offerWithCandidates() {
  const skill = `skill-${crypto.randomUUID().slice(0, 8)}`;
  const [company, first, second] = await Promise.all([
    createUser("company"),
    createUser("candidate"),
    createUser("candidate"),
  ]);
  await sql`update public.candidates set skills = array[${skill}, 'SQL'] where id = ${first.id}`;
  await sql`update public.candidates set skills = array[${skill}] where id = ${second.id}`;
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (company_id, title, required_skills, nice_to_have_skills)
    values (${company.id}, 'Offre de test de file', array[${skill}], array['SQL'])
    returning id`;
  await sql.begin(async (transaction) => {
    await transaction`set local session_replication_role = replica`;
    await transaction`
      update public.jobs set status = 'published', published_at = now() where id = ${job.id}`;
  });
  return { jobId: job.id, candidateIds: [first.id, second.id] };
}

Deno.test("a worker killed mid-batch loses nothing", async () => {
  const { jobId, candidateIds } = await offerWithCandidates();
  await withQueue(jobMatchingProcessor, async (queue, processor) => {
    await sql`select pgmq.send(${queue}, ${sql.json({ jobId })})`;

    // Hold the offer's row so the worker's matching blocks inside its batch.
    const lock = await holdLocks((transaction) =>
      transaction`select 1 from public.jobs where id = ${jobId} for update`
    );
    const worker = spawnJobMatchingWorker(queue);
    await eventually(async () => {
      const [waiting] = await sql`
        select 1 from pg_stat_activity
        where wait_event_type = 'Lock' and query like '%rematch%'`;
      return waiting ? true : undefined;
    }, { what: "the worker blocked in the middle of its batch" });
    worker.kill("SIGKILL");
    await worker.status;
    await lock.release();

    const [inFlight] = await queued(queue);
    assert.equal(inFlight.read_ct, 1, "the message was read once, and not deleted");

    // After the visibility timeout the next worker gets it again and finishes the work.
    const report = await eventually(
      () => processBatch(deps, processor).then((r) => r ?? undefined),
      {
        timeoutMs: 5_000,
        intervalMs: 200,
        what: "the message visible again",
      },
    );
    assert.deepEqual(report, { queue, processed: 1, retried: 0, deadLettered: 0 });
    assert.deepEqual(await queued(queue), [], "the queue is empty");
    assert.deepEqual(await queued(`${queue}_dlq`), [], "nothing dead-lettered");

    // Other candidates of the database may hold one of the skills too: only ours are checked.
    const matches = await sql`
      select candidate_id, match_score from public.job_matches
      where job_id = ${jobId} and candidate_id = any (${candidateIds}::uuid[])
      order by match_score desc`;
    assert.deepEqual(
      matches.map((match) => [match.candidate_id, match.match_score]),
      [[candidateIds[0], 100], [candidateIds[1], 85]],
      "both candidates matched: 50 + 15 (SQL) + 20 + 15, and 50 + 20 + 15 without SQL",
    );
    const [job] = await sql`
      select analysis_completed,
        matched_candidates_count = (select count(*) from public.job_matches where job_id = ${jobId})
          as counted
      from public.jobs where id = ${jobId}`;
    assert.deepEqual({ ...job }, { analysis_completed: true, counted: true });
  });
});

Deno.test(
  "a poison message is retried with backoff, then dead-lettered with its error",
  async () => {
    await withQueue(jobMatchingProcessor, async (queue, processor) => {
      await sql`select pgmq.send(${queue}, ${sql.json({ jobId: "not-a-uuid" })})`;
      for (const [attempt, backoff] of [[1, 2], [2, 4]]) {
        const report = await processBatch(deps, processor);
        assert.deepEqual(report, { queue, processed: 0, retried: 1, deadLettered: 0 });
        const [message] = await queued(queue);
        assert.equal(message.read_ct, attempt);
        assert.ok(
          message.invisible_for > backoff - 1 && message.invisible_for <= backoff,
          `attempt ${attempt}: back in ${backoff} s (${message.invisible_for.toFixed(2)})`,
        );
        // Skip the wait: make it visible now.
        await sql`select pgmq.set_vt(${queue}, ${message.msg_id}::bigint, 0)`;
      }
      const report = await processBatch(deps, processor);
      assert.deepEqual(report, { queue, processed: 0, retried: 0, deadLettered: 1 });
      assert.deepEqual(await queued(queue), [], "gone from the queue");
      const [dead] = await queued(`${queue}_dlq`);
      assert.equal(dead.message.attempts, 3);
      assert.equal(dead.message.error, `invalid ${queue} message: jobId: must be a UUID`);
      assert.deepEqual(dead.message.message, { jobId: "not-a-uuid" });
    });
  },
);

Deno.test(
  "duplicates in a batch are one run; valid neighbours of a poison message pass",
  async () => {
    const author = await createUser("candidate");
    const [post] = await sql<{ id: string }[]>`
    insert into public.posts (author_id, content) values (${author.id}, 'Bonjour, bonne semaine')
    returning id`;
    await withQueue(postModerationProcessor, async (queue, processor) => {
      await sql`select pgmq.send_batch(${queue}, array[
      ${sql.json({ postId: post.id })}::jsonb,
      ${sql.json({ postId: post.id, reason: "webhook" })}::jsonb,
      '{"postId": 7}'::jsonb])`;
      const report = await processBatch(deps, processor);
      assert.deepEqual(report, { queue, processed: 2, retried: 1, deadLettered: 0 });
      const [row] = await sql`select moderation_status from public.posts where id = ${post.id}`;
      assert.equal(row.moderation_status, "approved");
    });
  },
);
