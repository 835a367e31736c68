// Errors that explain, as the frontend receives them through supabase-js (PostgREST's `code`,
// `message`, `details`, `hint` and the HTTP status): a wrong value names the field and the
// allowed values, the common refusals answer a sentence with the facts and what to do, and the
// statuses are those docs/reference/errors.md promises.

import assert from "node:assert/strict";
import { check, unwrap } from "./_support/messaging.ts";
import { createUser, moderated, sql } from "./_support/platform.ts";

Deno.test("a wrong value names the field and its allowed values", async () => {
  const company = await createUser("company");
  const wrongLevel = await company.client.from("jobs")
    .insert({ company_id: company.id, title: "Niveau inconnu", experience_level: "expert" });
  assert.equal(wrongLevel.status, 400);
  assert.equal(wrongLevel.error?.code, "23514");
  assert.match(wrongLevel.error!.message, /"experience_level: junior \| mid \| senior \| lead"/);

  const wrongSize = await company.client.from("companies")
    // (A client typed with the generated Database refuses "huge" at compile time.)
    .update({ size: "huge" }).eq("id", company.id);
  assert.equal(wrongSize.status, 400);
  assert.equal(wrongSize.error?.code, "22P02");
  assert.match(wrongSize.error!.message, /enum company_size: "huge"/);
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
  assert.equal(again.status, 409);
  assert.equal(again.error?.code, "23505");
  assert.equal(again.error?.message, "you already applied to this offer");
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
  assert.equal(reaction.status, 403);
  assert.equal(reaction.error?.code, "42501");
  assert.equal(reaction.error?.message, "this post cannot receive reactions yet");
  assert.match(reaction.error!.details, /awaiting moderation/);
  assert.match(reaction.error!.hint, /approved posts/);
});

Deno.test("a column the member may not write is refused with 42501", async () => {
  const candidate = await createUser("candidate");
  const promotion = await candidate.client.from("profiles")
    .update({ role: "admin" }).eq("id", candidate.id);
  assert.equal(promotion.status, 403);
  assert.equal(promotion.error?.code, "42501");
  // Postgres names the table, not the column (column privileges): tables.md lists the writable
  // columns, and errors.md says what this message means.
  assert.match(promotion.error!.message, /permission denied for table profiles/);
});
