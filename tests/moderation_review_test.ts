// Reports and review end to end with supabase-js: three members report a post, which leaves the
// feed; an admin finds it in the queue with the reports, suspends its author, who can then neither
// publish nor comment; approving the author's profile reinstates them. Every step is audited and
// the author is told.

import assert from "node:assert/strict";
import { createUser, eventually, moderated, promoteToAdmin, sql } from "./_support/platform.ts";

Deno.test("report, hide, review, suspend and reinstate", async () => {
  const [author, first, second, third, admin] = await Promise.all([
    createUser("candidate"),
    createUser("candidate"),
    createUser("candidate"),
    createUser("candidate"),
    createUser("candidate"),
  ]);
  await promoteToAdmin(admin);
  const post = await author.client.from("posts")
    .insert({ content: `Offre de formation ${crypto.randomUUID().slice(0, 8)}` })
    .select("id").single();
  assert.equal(post.error, null, JSON.stringify(post.error));
  const postId = post.data!.id as string;
  await moderated("posts", postId);

  const reports = [];
  for (const reporter of [first, second, third]) {
    const { data, error } = await reporter.client.rpc("report_content", {
      p_kind: "post",
      p_id: postId,
      p_reason: "Arnaque à la formation payante",
    });
    assert.equal(error, null, JSON.stringify(error));
    reports.push(data[0]);
  }
  assert.deepEqual(reports.map((report) => [report.open_reports, report.hidden]), [
    [1, false],
    [2, false],
    [3, true],
  ]);
  const hidden = await first.client.from("posts").select("id").eq("id", postId);
  assert.deepEqual(hidden.data, [], "the reported post left what others see");

  const notAdmin = await first.client.rpc("get_moderation_queue");
  assert.equal(notAdmin.error?.code, "42501");
  const queue = await admin.client.rpc("get_moderation_queue", { p_kind: "post" });
  assert.equal(queue.error, null, JSON.stringify(queue.error));
  const item = (queue.data as { id: string; open_reports: number; reports: unknown[] }[])
    .find((row) => row.id === postId);
  assert.ok(item, "the post is in the queue");
  assert.equal(item.open_reports, 3);
  assert.equal(item.reports.length, 3);

  const review = (kind: string, id: string, decision: string, reason: string) =>
    admin.client.rpc("review_content", {
      p_kind: kind,
      p_id: id,
      p_decision: decision,
      p_reason: reason,
    });
  const badDecision = await review("post", postId, "ban", "x");
  assert.equal(badDecision.error?.code, "22P02");
  assert.match(badDecision.error!.message, /enum moderation_decision: "ban"/);
  const flag = await review("post", postId, "flag", "x");
  assert.equal(flag.error?.code, "22023");
  assert.match(flag.error!.message, /approve, reject or suspend/);

  const suspended = await review("post", postId, "suspend", "Arnaques répétées");
  assert.equal(suspended.error, null, JSON.stringify(suspended.error));
  assert.deepEqual(suspended.data, [{
    kind: "post",
    id: postId,
    moderation_status: "rejected",
    author_id: author.id,
    author_suspended: true,
  }]);
  const refused = await author.client.from("posts").insert({ content: "Je reviens" });
  assert.equal(refused.status, 403);
  assert.match(refused.error!.message, /suspended/);
  const notified = await eventually(async () => {
    const [row] = await sql`select title from public.notifications
      where user_id = ${author.id} and type = 'moderation' and data ->> 'decision' = 'suspend'`;
    return row?.title as string | undefined;
  }, { what: "the suspension notice" });
  assert.equal(notified, "Votre compte est suspendu");

  const reinstated = await review("profile", author.id, "approve", "Compte vérifié");
  assert.equal(reinstated.data?.[0].author_suspended, false);
  const again = await author.client.from("posts").insert({ content: "Merci pour la vérification" });
  assert.equal(again.status, 201, JSON.stringify(again.error));

  const audit = await admin.client.from("moderation_decisions")
    .select("source, decision, reviewer_id").eq("target_id", postId).order("id");
  assert.deepEqual(
    audit.data!.filter((row) => row.source !== "engine"),
    [
      { source: "reports", decision: "flag", reviewer_id: null },
      { source: "admin", decision: "suspend", reviewer_id: admin.id },
    ],
  );
  const memberAudit = await first.client.from("moderation_decisions").select("id");
  assert.deepEqual(memberAudit.data, [], "the audit is for admins");
});
