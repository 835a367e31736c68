// SPEC §1's safety net, on the fresh database of `npm test`: the sweep (one pg_cron job every
// 5 seconds) runs from the start, and a message whose doorbell could not ring is processed by it.

import assert from "node:assert/strict";
import { createUser, eventually, sql } from "./_support/platform.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

Deno.test("the sweep runs every 5 seconds from the start", options, async () => {
  const runs = await eventually(async () => {
    const rows = await sql<{ status: string; start_time: Date }[]>`
      select run.status, run.start_time
      from cron.job_run_details as run
      join cron.job as job using (jobid)
      where job.jobname = 'sweep-queues' and run.status not in ('starting', 'running')
      order by run.runid desc
      limit 3`;
    return rows.length === 3 ? rows : undefined;
  }, { timeoutMs: 20_000, intervalMs: 500, what: "three runs of the sweep" });
  assert.ok(runs.every((run) => run.status === "succeeded"), JSON.stringify(runs));
  const [{ ago }] = await sql`
    select extract(epoch from clock_timestamp() - ${
    runs[0].start_time
  }::timestamptz)::float8 as ago`;
  assert.ok(ago < 15, `the last finished sweep started ${ago.toFixed(1)} s ago`);
  // Never early; a run is never skipped for more than a period, even on a loaded machine (a run
  // still going when the next is due waits for it, as with pg_cron).
  const gaps = [
    runs[0].start_time.getTime() - runs[1].start_time.getTime(),
    runs[1].start_time.getTime() - runs[2].start_time.getTime(),
  ];
  for (const gap of gaps) assert.ok(gap >= 4_500 && gap < 15_000, `${gap} ms between two sweeps`);
});

Deno.test(
  "a post enqueued while the doorbell cannot ring (Vault settings absent) is moderated by the sweep within 15 s",
  options,
  async () => {
    const author = await createUser("candidate");
    // In one transaction: the settings are absent when the post is enqueued (the doorbell finds
    // no project_url and stays silent), then set again before anyone else can see them missing.
    const { postId, committedAt, doorbells } = await sql.begin(async (transaction) => {
      const [setting] = await transaction<{ secret: string }[]>`
        delete from vault.secrets where name = 'project_url'
        returning (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
          as secret`;
      const [before] = await transaction`select count(*)::int as count from net.http_request_queue`;
      const [post] = await transaction<{ id: string }[]>`
        insert into public.posts (author_id, content)
        values (${author.id}, 'Bonjour à tous, je cherche un poste de développeuse')
        returning id`;
      const [after] = await transaction`select count(*)::int as count from net.http_request_queue`;
      await transaction`select vault.create_secret(${setting.secret}, 'project_url')`;
      return { postId: post.id, committedAt: Date.now(), doorbells: after.count - before.count };
    });
    assert.equal(doorbells, 0, "no doorbell was rung for the post");
    const [{ queued }] = await sql`
      select count(*)::int as queued from pgmq.q_post_moderation
      where message ->> 'postId' = ${postId}`;
    assert.equal(queued, 1, "the post waits in its queue");

    await eventually(async () => {
      const [post] = await sql`select moderation_status from public.posts where id = ${postId}`;
      return post.moderation_status === "approved" ? true : undefined;
    }, { timeoutMs: 15_000, intervalMs: 100, what: "the sweep to have the post moderated" });
    console.log(`moderated ${((Date.now() - committedAt) / 1000).toFixed(1)} s after its commit`);
  },
);
