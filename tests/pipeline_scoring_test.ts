// Engagement scoring under concurrency, end to end: one member's views (through the track_activity
// RPC), likes and comments (through the tables, tracked by triggers) and shares (through the
// activity-score webhook) all arrive at once. The totals must be exact: a view of one target
// counted once, nothing lost, the score equal to the sum of the logged points.

import assert from "node:assert/strict";
import { callFunction, jsonOf } from "./_support/pipeline.ts";
import { createUser, sql } from "./_support/platform.ts";

Deno.test("scores stay exact when a member's activities arrive concurrently", async () => {
  const [member, author] = await Promise.all([createUser("candidate"), createUser("company")]);
  const posts = await sql<{ id: string }[]>`
    insert into public.posts (author_id, content, moderation_status)
    select ${author.id}, 'Post ' || n, 'approved' from generate_series(1, 10) as n
    returning id`;
  // Views count for offers the member can see: 31 published ones (the platform's, approved).
  const jobs = await sql<{ id: string }[]>`
    insert into public.jobs (company_id, title, status)
    select ${author.id}, 'Offre ' || n, 'published' from generate_series(1, 31) as n
    returning id`;
  const [sameTarget, ...otherTargets] = jobs.map((job) => job.id);
  const rpc = (target: string) =>
    member.client.rpc("track_activity", {
      p_action: "view",
      p_target_id: target,
      p_target_type: "job",
    });

  const [sameViews, otherViews, likes, comments, shares] = await Promise.all([
    Promise.all(Array.from({ length: 40 }, () => rpc(sameTarget))),
    Promise.all(otherTargets.map((target) => rpc(target))),
    Promise.all(
      posts.map((post) => member.client.from("post_reactions").insert({ post_id: post.id })),
    ),
    Promise.all(
      posts.map((post) =>
        member.client.from("post_comments").insert({ post_id: post.id, content: "Bravo" })
      ),
    ),
    Promise.all(Array.from({ length: 20 }, () =>
      callFunction("activity-score", {
        body: {
          userId: member.id,
          action: "share",
          targetId: crypto.randomUUID(),
          targetType: "post",
        },
      }).then(jsonOf))),
  ]);

  for (const result of [...sameViews, ...otherViews, ...likes, ...comments]) {
    assert.equal(result.error, null, JSON.stringify(result.error));
  }
  for (const share of shares) assert.equal(share.status, 200, JSON.stringify(share.body));
  assert.equal(
    sameViews.filter((view) => view.data.counted).length,
    1,
    "40 simultaneous views of one target count once",
  );
  assert.ok(otherViews.every((view) => view.data.counted), "views of other targets all count");

  const byAction = await sql`
    select rule.action, count(*)::int as count,
      bool_and(log.points = rule.points * private.activity_multiplier(log.created_at)) as priced
    from public.activity_logs as log
    join private.activity_rules() as rule on rule.action = log.action::text
    where log.user_id = ${member.id}
    group by rule.action order by rule.action`;
  assert.deepEqual(
    byAction.map((row) => [row.action, row.count, row.priced]),
    [["comment", 10, true], ["like", 10, true], ["share", 10, true], ["view", 31, true]],
    "every activity logged once, with its points (x1.5 at night); 20 shares meet the daily cap of 10",
  );
  // A repeated view earns nothing and is not logged, but it is activity: last_activity_at may
  // be later than the last logged row, never earlier.
  const [totals] = await sql`
    select profile.engagement_score = coalesce(sum(log.points), 0) as exact,
      profile.last_activity_at >= max(log.created_at) as latest
    from public.profiles as profile
    left join public.activity_logs as log on log.user_id = profile.id
    where profile.id = ${member.id}
    group by profile.id`;
  assert.deepEqual({ ...totals }, { exact: true, latest: true }, "no lost or doubled update");
});
