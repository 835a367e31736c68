// A dead-letter round trip through supabase-js: a moderation message that failed (here written to
// the dead-letter queue as the worker writes it) is listed and replayed by an admin, the post is
// moderated once, and a second replay sends nothing. Members cannot replay.

import assert from "node:assert/strict";
import { createUser, eventually, promoteToAdmin, serviceClient, sql } from "./_support/platform.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

Deno.test("an admin lists and replays a dead letter; the work is done once", options, async () => {
  const [author, admin] = await Promise.all([createUser("candidate"), createUser("candidate")]);
  await promoteToAdmin(admin);
  // A pending post whose moderation message died (as if the moderation service had been down).
  const [post] = await sql.begin(async (transaction) => {
    await transaction`set local session_replication_role = replica`;
    return await transaction<{ id: string }[]>`
      insert into public.posts (author_id, content) values (${author.id}, 'Bonne semaine à tous')
      returning id`;
  });
  const [{ msg_id: deadLetterId }] = await sql`
    select * from pgmq.send('post_moderation_dlq', ${
    sql.json({
      original_msg_id: 1,
      attempts: 3,
      error: "moderation service unavailable",
      failed_at: new Date().toISOString(),
      message: { postId: post.id, reason: "created" },
    })
  }) as msg_id`;

  const refused = await author.client.rpc("replay_dead_letters", { p_queue: "post_moderation" });
  assert.equal(refused.error?.code, "42501", JSON.stringify(refused));

  const listed = await admin.client.rpc("get_dead_letters", { p_queue: "post_moderation" });
  assert.equal(listed.error, null);
  const mine = listed.data.find((letter: { msg_id: number }) =>
    letter.msg_id === Number(deadLetterId)
  );
  assert.deepEqual(
    { error: mine.error, attempts: mine.attempts, message: mine.message },
    {
      error: "moderation service unavailable",
      attempts: 3,
      message: { postId: post.id, reason: "created" },
    },
  );

  const replayed = await admin.client.rpc("replay_dead_letters", {
    p_queue: "post_moderation",
    p_msg_ids: [Number(deadLetterId)],
  });
  assert.deepEqual({ data: replayed.data, error: replayed.error }, { data: 1, error: null });
  const moderated = await eventually(async () => {
    const [row] = await sql`
      select moderation_status, moderated_at from public.posts where id = ${post.id}`;
    return row.moderation_status === "approved" ? row : undefined;
  }, { what: "the replayed post to be moderated" });

  const again = await serviceClient().rpc("replay_dead_letters", {
    p_queue: "post_moderation",
    p_msg_ids: [Number(deadLetterId)],
  });
  assert.deepEqual({ data: again.data, error: again.error }, { data: 0, error: null });
  const [record] = await sql`
    select replayed_by, replayed_by_role, original_msg_id from private.dead_letter_replays
    where queue_name = 'post_moderation' and dead_letter_msg_id = ${deadLetterId}`;
  assert.deepEqual({ ...record }, {
    replayed_by: admin.id,
    replayed_by_role: "admin",
    original_msg_id: "1",
  });
  const [after] = await sql`select moderated_at from public.posts where id = ${post.id}`;
  assert.deepEqual(after.moderated_at, moderated.moderated_at, "moderated once");

  const unknown = await admin.client.rpc("replay_dead_letters", { p_queue: "emails" });
  assert.equal(unknown.error?.code, "22023");
  assert.match(
    unknown.error!.message,
    /p_queue: emails is not a work queue; one of candidate_matching/,
  );
});
