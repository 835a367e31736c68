// Errors that explain, as the frontend receives them through supabase-js (PostgREST's `code`,
// `message`, `details`, `hint` and the HTTP status): a wrong value names the field and the
// allowed values, the common refusals answer a sentence with the facts and what to do, and the
// statuses are those docs/reference/errors.md promises.

import assert from "node:assert/strict";
import { check, unwrap } from "./_support/messaging.ts";
import { createUser, moderated, sql } from "./_support/platform.ts";
import { Constants } from "../supabase/functions/_shared/database.types.ts";

/** A refusal as supabase-js hands it over: the HTTP status, Postgres's code and its message. */
function assertRefused(
  result: { status: number; error: { code: string; message: string } | null },
  status: number,
  code: string,
  message: string,
): void {
  assert.equal(result.status, status);
  assert.equal(result.error?.code, code);
  assert.equal(result.error?.message, message);
}

Deno.test("a wrong value names the field's type, whose values the generated types list", async () => {
  const company = await createUser("company");
  // (A client typed with the generated Database refuses "expert" at compile time.)
  const wrongLevel = await company.client.from("jobs")
    .insert({ company_id: company.id, title: "Niveau inconnu", experience_level: "expert" });
  assertRefused(
    wrongLevel,
    400,
    "22P02",
    'invalid input value for enum experience_level: "expert"',
  );
  // The enum is named after the field; a frontend shows its values from the generated Constants.
  const enumName = /^invalid input value for enum (\w+):/.exec(wrongLevel.error!.message)![1];
  assert.deepEqual(
    Constants.public.Enums[enumName as keyof typeof Constants.public.Enums],
    ["junior", "mid", "senior", "lead"],
  );

  const wrongSize = await company.client.from("companies")
    .update({ size: "huge" }).eq("id", company.id);
  assert.equal(wrongSize.status, 400);
  assert.equal(wrongSize.error?.code, "22P02");
  assert.match(wrongSize.error!.message, /enum company_size: "huge"/);

  // An RPC's parameter typed with an enum answers the same way.
  const wrongAction = await company.client.rpc("track_activity", {
    p_action: "poke",
    p_target_id: company.id,
    p_target_type: "profile",
  });
  assert.equal(wrongAction.status, 400);
  assert.equal(wrongAction.error?.code, "22P02");
  assert.match(wrongAction.error!.message, /enum activity_action: "poke"/);
});

Deno.test("applying twice answers 409 with the existing application and what to do", async () => {
  const company = await createUser("company");
  const candidate = await createUser("candidate");
  const job = unwrap(
    await company.client.from("jobs")
      .insert({ company_id: company.id, title: "Offre unique", status: "published" })
      .select("id").single(),
  );
  // Candidates see (and apply to) an offer once moderation approved it.
  await moderated("jobs", job.id);
  check(await candidate.client.from("job_applications").insert({ job_id: job.id }));
  const again = await candidate.client.from("job_applications").insert({ job_id: job.id });
  assertRefused(again, 409, "23505", "you already applied to this offer");
  assert.match(again.error!.details, /^Application [0-9a-f-]{36} is submitted\.$/);
  assert.match(again.error!.hint, /withdraw/);

  const asCompany = await company.client.from("job_applications").insert({ job_id: job.id });
  assert.equal(asCompany.status, 403);
  assert.equal(asCompany.error?.message, "only candidates apply to offers");
});

Deno.test("reacting to a post awaiting moderation answers 403 with a sentence", async () => {
  const author = await createUser("candidate");
  const reader = await createUser("candidate");
  // The post stays pending: its moderation request is taken off the queue in the transaction
  // that wrote it, so the worker cannot approve it before the reaction is tried.
  const post = await sql.begin(async (transaction) => {
    const [row] = await transaction<{ id: string }[]>`
      insert into public.posts (author_id, content) values (${author.id}, 'En attente')
      returning id`;
    await transaction`
      delete from pgmq.q_post_moderation where message ->> 'postId' = ${row.id}`;
    return row;
  });
  const reaction = await reader.client.from("post_reactions").insert({ post_id: post.id });
  assertRefused(reaction, 403, "42501", "this post cannot receive reactions yet");
  assert.match(reaction.error!.details, /awaiting moderation/);
  assert.match(reaction.error!.hint, /approved posts/);
});

Deno.test("a column the member may not update is refused by name, with what they may update", async () => {
  const candidate = await createUser("candidate");
  const promotion = await candidate.client.from("profiles")
    .update({ role: "admin" }).eq("id", candidate.id);
  assertRefused(promotion, 403, "42501", 'column "role" of table "profiles" is read-only');
  assert.match(promotion.error!.details, /written by the platform \(or an admin\)/);
  assert.equal(
    promotion.error?.hint,
    "Columns you may update: full_name, avatar_url, avatar_path.",
  );

  const score = await candidate.client.from("profiles")
    .update({ full_name: "Camille Score", engagement_score: 1000 }).eq("id", candidate.id);
  assert.equal(score.status, 403);
  assert.equal(score.error?.message, 'column "engagement_score" of table "profiles" is read-only');
  assert.match(score.error!.details, /maintained by the scoring pipeline only/);
  const [profile] = await sql<{ role: string; engagement_score: string; full_name: string }[]>`
    select role, engagement_score, full_name from public.profiles where id = ${candidate.id}`;
  assert.equal(profile.role, "candidate");
  assert.equal(Number(profile.engagement_score), 0);
  assert.notEqual(profile.full_name, "Camille Score", "nothing of a refused update is written");

  const internal = await candidate.client.from("candidates")
    .update({ headline: "Développeuse", match_skills: ["hacked"] }).eq("id", candidate.id);
  assert.equal(internal.status, 403);
  assert.equal(internal.error?.message, 'column "match_skills" of table "candidates" is read-only');

  check(
    await candidate.client.from("profiles").update({ full_name: "Camille Écrit" }).eq(
      "id",
      candidate.id,
    ),
  );
});

Deno.test("a column the member may not insert is still refused by Postgres's privileges", async () => {
  const author = await createUser("candidate");
  // Inserts keep column privileges (a trigger cannot tell a sent value from a default):
  // Postgres names the table; tables.md lists the insertable columns.
  const approved = await author.client.from("posts")
    .insert({ author_id: author.id, content: "Déjà approuvé ?", moderation_status: "approved" });
  assertRefused(approved, 403, "42501", "permission denied for table posts");
});
