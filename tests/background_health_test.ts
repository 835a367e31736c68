// queue-health tells the truth: healthy while the sweep runs, degraded once it is stopped for more
// than twice its period (the reason says so), healthy again once it runs. Dead letters left by
// other tests would make it degraded too: their threshold is raised for the duration of the test.

import assert from "node:assert/strict";
import { eventually, platform, sql } from "./_support/platform.ts";
import type { QueueHealth } from "../supabase/functions/queue-health/handler.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

async function health(): Promise<QueueHealth> {
  const response = await fetch(`${platform.url}/functions/v1/queue-health`, {
    headers: { authorization: `Bearer ${platform.secretKey}` },
  });
  assert.equal(response.status, 200);
  return await response.json();
}

function healthBecomes(status: QueueHealth["status"], reason: RegExp, timeoutMs: number) {
  return eventually(async () => {
    const current = await health();
    return current.status === status && current.reasons.some((text) => reason.test(text))
      ? current
      : undefined;
  }, { timeoutMs, intervalMs: 500, what: `queue-health ${status} (${reason})` });
}

Deno.test(
  "queue-health: healthy → degraded when the sweep stops → healthy again",
  options,
  async () => {
    const [{ jobid }] = await sql`select jobid from cron.job where jobname = 'sweep-queues'`;
    const [{ dead_letters_degraded_at: deadLettersAt }] = await sql`
    update private.queue_health_settings set dead_letters_degraded_at = 1000000
    returning (select dead_letters_degraded_at from private.queue_health_settings)`;
    try {
      const healthy = await eventually(async () => {
        const current = await health();
        return current.status === "healthy" ? current : undefined;
      }, { timeoutMs: 20_000, intervalMs: 500, what: "queue-health healthy" });
      assert.deepEqual(healthy.reasons, []);
      assert.equal(healthy.sweep.schedule, "5 seconds");
      assert.equal(healthy.sweep.last_status, "succeeded");
      for (const counts of Object.values(healthy.queues)) {
        assert.deepEqual(Object.keys(counts).sort(), [
          "active",
          "completed",
          "failed",
          "oldest_visible_age_seconds",
          "waiting",
        ]);
      }

      await sql`select cron.alter_job(${jobid}, active => false)`;
      const stopped = await healthBecomes("degraded", /the sweep is late/, 20_000);
      assert.ok(
        stopped.reasons.includes("the sweep job sweep-queues is inactive"),
        stopped.reasons.join(),
      );
      const late = Date.now() - Date.parse(stopped.sweep.last_started_at!);
      assert.ok(late > 10_000, `degraded ${late} ms after the last sweep, more than twice 5 s`);

      await sql`select cron.alter_job(${jobid}, active => true)`;
      const recovered = await eventually(async () => {
        const current = await health();
        return current.status === "healthy" ? current : undefined;
      }, { timeoutMs: 15_000, intervalMs: 500, what: "queue-health healthy again" });
      assert.ok(
        Date.parse(recovered.sweep.last_started_at!) > Date.parse(stopped.sweep.last_started_at!),
      );
    } finally {
      await sql`select cron.alter_job(${jobid}, active => true)`;
      await sql`update private.queue_health_settings set dead_letters_degraded_at = ${deadLettersAt}`;
    }
  },
);

Deno.test(
  "queue-health counts dead letters and is not healthy while one waits",
  options,
  async () => {
    const queue = "candidate_matching";
    const [{ before }] =
      await sql`select count(*)::int as before from pgmq.q_candidate_matching_dlq`;
    const [{ msg_id: deadLetterId }] = await sql`
    select * from pgmq.send(${queue + "_dlq"}, ${
      sql.json({ error: "test", attempts: 3, message: { candidateId: "not-a-uuid" } })
    }) as msg_id`;
    try {
      const current = await health();
      assert.equal(current.queues[queue].failed, before + 1);
      assert.ok(current.dead_letters >= before + 1);
      assert.notEqual(current.status, "healthy");
      assert.ok(current.reasons.some((reason) => /dead letters are waiting/.test(reason)));
    } finally {
      await sql`select pgmq.delete(${queue + "_dlq"}, ${deadLetterId}::bigint)`;
    }
  },
);
