// The gateway's contract with the frontend: the real supabase-js client, pointed at the local
// platform, uses auth, tables under RLS, RPCs and Edge Functions exactly as on hosted Supabase.
// The product schema (supabase/migrations) decides what each caller may do; these tests check
// that the gateway lets those decisions through, both ways.
//
// Needs `[functions.health] verify_jwt = false` in supabase/config.toml (whoami keeps the
// default, verify_jwt = true).

import assert from "node:assert/strict";
import { createClient, FunctionsHttpError, type SupabaseClient } from "@supabase/supabase-js";
import { signJwt } from "../local/platform/jwt.ts";
import {
  anonClient,
  createUser,
  moderated,
  platform,
  serviceClient,
  sql,
  type TestUser,
} from "./_support/platform.ts";

const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
};

/** A client that sends `token` as its bearer token, as supabase-js does for a session. */
function clientWithToken(token: string): SupabaseClient {
  return createClient(platform.url, platform.publishableKey, {
    ...clientOptions,
    global: { headers: { Authorization: `Bearer ${token}` } },
  });
}

/** A word nobody else writes, so full-text searches find only this run's rows. */
function uniqueWord(): string {
  const letters = crypto.getRandomValues(new Uint8Array(10));
  return "zq" + Array.from(letters, (byte) => String.fromCharCode(97 + (byte % 26))).join("");
}

/** Tokens the platform must refuse: signed with another secret, and expired. */
async function badTokens(user: TestUser) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: user.id, role: "authenticated", aud: "authenticated", email: user.email };
  return {
    forged: await signJwt(
      { ...claims, iat: now, exp: now + 3600 },
      "not-the-project-secret-0123456789",
    ),
    expired: await signJwt({ ...claims, iat: now - 7200, exp: now - 3600 }, platform.jwtSecret),
  };
}

Deno.test("auth: sign up, sign in with password, getUser, refresh", async () => {
  const email = `contract-${crypto.randomUUID()}@test.emploi.plus`;
  const password = "correct-horse-battery-42";
  const client = anonClient();

  const signUp = await client.auth.signUp({
    email,
    password,
    options: { data: { role: "company", full_name: "Contract Company" } },
  });
  assert.equal(signUp.error, null);
  assert.equal(signUp.data.session, null, "e-mail confirmation is on: sign-up returns no session");
  const userId = signUp.data.user!.id;
  const [profile] = await sql`select role, full_name from public.profiles where id = ${userId}`;
  assert.deepEqual({ ...profile }, { role: "company", full_name: "Contract Company" });

  const signIn = await client.auth.signInWithPassword({ email, password });
  assert.equal(signIn.error, null);
  assert.equal(signIn.data.user?.id, userId);

  const wrongPassword = await anonClient().auth.signInWithPassword({
    email,
    password: "nope-nope",
  });
  assert.equal(wrongPassword.error?.status, 400);
  assert.equal(wrongPassword.error?.code, "invalid_credentials");

  const { data: current, error: getUserError } = await client.auth.getUser();
  assert.equal(getUserError, null);
  assert.equal(current.user?.id, userId);
  assert.equal(current.user?.email, email);
  assert.equal(current.user?.user_metadata.role, "company");

  const oldSession = signIn.data.session!;
  const refreshed = await client.auth.refreshSession();
  assert.equal(refreshed.error, null);
  const newSession = refreshed.data.session!;
  assert.notEqual(newSession.refresh_token, oldSession.refresh_token, "refresh tokens rotate");
  const { data: again } = await clientWithToken(newSession.access_token).auth.getUser();
  assert.equal(again.user?.id, userId, "the refreshed access token is accepted");

  assert.equal((await client.auth.signOut()).error, null);
  const afterSignOut = await anonClient().auth.refreshSession({
    refresh_token: newSession.refresh_token,
  });
  assert.ok(afterSignOut.error, "a signed-out session cannot be refreshed");
});

Deno.test("rest: tables through RLS, allowed and refused", async (t) => {
  const company = await createUser("company");
  const candidate = await createUser("candidate");
  const anon = anonClient();
  const word = uniqueWord();

  const published = await company.client.from("jobs")
    .insert({
      title: `Développeuse ${word} TypeScript`,
      required_skills: ["TypeScript", "PostgreSQL"],
      location: "Lyon",
      salary_min: 42000,
      salary_max: 52000,
      status: "published",
    })
    .select("id, company_id, status, published_at")
    .single();
  assert.equal(published.error, null);
  assert.equal(published.status, 201);
  assert.equal(published.data!.company_id, company.id, "company_id defaults to auth.uid()");
  assert.ok(published.data!.published_at, "publication stamped by trigger");
  // Others see the offer, and its company page, once moderation approved them.
  await moderated("jobs", published.data!.id);
  await moderated("companies", company.id);
  const draft = await company.client.from("jobs")
    .insert({ title: `Brouillon ${word}`, required_skills: ["Go"] })
    .select("id, status")
    .single();
  assert.equal(draft.data?.status, "draft");
  const publishedId = published.data!.id, draftId = draft.data!.id;

  await t.step("insert refused by RLS: a candidate cannot post an offer", async () => {
    const refused = await candidate.client.from("jobs").insert({ title: `Fake ${word}` });
    assert.equal(refused.status, 403);
    assert.equal(refused.error?.code, "42501");
    const forOther = await company.client.from("jobs")
      .insert({ title: `Squat ${word}`, company_id: candidate.id });
    assert.equal(forOther.error?.code, "42501", "nor a company for someone else");
  });

  await t.step("select with filters, order, range and count", async () => {
    for (const [who, client] of [["anon", anon], ["candidate", candidate.client]] as const) {
      const { data, error } = await client.from("jobs").select("id, status")
        .eq("company_id", company.id);
      assert.equal(error, null);
      assert.deepEqual(data, [{ id: publishedId, status: "published" }], `${who}: no drafts`);
    }
    const own = await company.client.from("jobs")
      .select("id, title", { count: "exact" })
      .eq("company_id", company.id)
      .order("title", { ascending: true })
      .range(0, 0);
    assert.equal(own.count, 2, "the company sees its draft too");
    assert.equal(own.data?.length, 1);
    assert.equal(own.data![0].id, draftId, "Brouillon sorts before Développeuse");
    const second = await company.client.from("jobs").select("id").eq("company_id", company.id)
      .order("title").range(1, 1);
    assert.deepEqual(second.data, [{ id: publishedId }]);
    const filtered = await anon.from("jobs").select("id")
      .ilike("title", `%${word}%`)
      .contains("required_skills", ["PostgreSQL"])
      .gte("salary_min", 40000)
      .in("status", ["published", "closed"]);
    assert.deepEqual(filtered.data, [{ id: publishedId }]);
    const embedded = await anon.from("jobs").select("id, companies(name)").eq("id", publishedId)
      .single();
    assert.equal(typeof embedded.data?.companies, "object", "many-to-one embed");
  });

  await t.step("single(): one row is an object, none is 406 PGRST116", async () => {
    const one = await candidate.client.from("candidates").select("id, open_to_work").single();
    assert.deepEqual(one.data, { id: candidate.id, open_to_work: true }, "only their own row");
    const none = await anon.from("jobs").select("id").eq("id", draftId).single();
    assert.equal(none.status, 406);
    assert.equal(none.error?.code, "PGRST116");
    const privateRow = await company.client.from("candidates").select("id").eq("id", candidate.id)
      .maybeSingle();
    assert.equal(privateRow.data, null, "a company does not read a candidate who never applied");
  });

  await t.step("update: own rows changed, others' untouched", async () => {
    const updated = await company.client.from("jobs").update({ title: `Brouillon ${word} v2` })
      .eq("id", draftId).select("title").single();
    assert.equal(updated.data?.title, `Brouillon ${word} v2`);
    const hijack = await candidate.client.from("jobs").update({ title: "Hijacked" })
      .eq("id", publishedId).select();
    assert.equal(hijack.error, null);
    assert.deepEqual(hijack.data, [], "RLS hides the row from the update");
    const column = await candidate.client.from("profiles").update({ role: "admin" })
      .eq("id", candidate.id);
    assert.equal(column.error?.code, "42501", "no update grant on profiles.role");
    const [{ title }] = await sql`select title from public.jobs where id = ${publishedId}`;
    assert.match(title, /^Développeuse/);
  });

  await t.step("upsert: own preferences merged, someone else's refused", async () => {
    const own = await candidate.client.from("notification_preferences")
      .upsert({ user_id: candidate.id, sms_enabled: true, timezone: "Europe/Paris" }, {
        onConflict: "user_id",
      })
      .select("user_id, sms_enabled")
      .single();
    assert.equal(own.error, null);
    assert.deepEqual(own.data, { user_id: candidate.id, sms_enabled: true });
    const [{ count }] = await sql`
      select count(*)::int from public.notification_preferences where user_id = ${candidate.id}`;
    assert.equal(count, 1, "merged into the sign-up row");
    const other = await candidate.client.from("notification_preferences")
      .upsert({ user_id: company.id, sms_enabled: true }, { onConflict: "user_id" });
    assert.equal(other.error?.code, "42501");
  });

  // The content is profane on purpose: moderation (which runs within milliseconds) rejects it, so
  // the post is never approved and the check below does not race the pipeline.
  await t.step("insert and read posts: posts not approved are the author's only", async () => {
    const post = await candidate.client.from("posts")
      .insert({ content: `Bonjour ${word}, what the fuck` })
      .select("id, author_id, moderation_status").single();
    assert.equal(post.data?.author_id, candidate.id);
    assert.equal(post.data?.moderation_status, "pending");
    const seenByOther = await company.client.from("posts").select("id").eq("id", post.data!.id);
    assert.deepEqual(seenByOther.data, []);
    const visitors = await anon.from("posts").select("id").limit(1);
    assert.equal(visitors.error?.code, "42501", "visitors have no access to posts");
  });

  await t.step("delete: drafts only, own only", async () => {
    const byCandidate = await candidate.client.from("jobs").delete().eq("id", draftId).select();
    assert.deepEqual(byCandidate.data, []);
    const publishedDelete = await company.client.from("jobs").delete().eq("id", publishedId)
      .select();
    assert.deepEqual(publishedDelete.data, [], "published offers are closed, not deleted");
    const deleted = await company.client.from("jobs").delete().eq("id", draftId).select("id");
    assert.deepEqual(deleted.data, [{ id: draftId }]);
  });

  await t.step("the secret key bypasses RLS", async () => {
    const { data } = await serviceClient().from("candidates").select("id").eq("id", candidate.id);
    assert.deepEqual(data, [{ id: candidate.id }]);
  });
});

Deno.test("rpc: search_jobs and get_feed", async () => {
  const company = await createUser("company");
  const candidate = await createUser("candidate");
  const word = uniqueWord();
  const { data: job } = await company.client.from("jobs")
    .insert({ title: `Ingénieur ${word}`, required_skills: ["Rust"], status: "published" })
    .select("id").single();
  await moderated("jobs", job!.id);

  const search = await anonClient().rpc("search_jobs", { p_query: word, p_limit: 5 });
  assert.equal(search.error, null);
  assert.deepEqual(search.data.map((row: { id: string }) => row.id), [job!.id]);
  const filteredAfter = await candidate.client.rpc("search_jobs", { p_query: word })
    .select("id, title").eq("id", job!.id);
  assert.deepEqual(filteredAfter.data, [{ id: job!.id, title: `Ingénieur ${word}` }]);
  const badLimit = await anonClient().rpc("search_jobs", { p_limit: 500 });
  assert.equal(badLimit.status, 400);
  assert.equal(badLimit.error?.code, "22023");

  const feed = await candidate.client.rpc("get_feed", { p_limit: 5 });
  assert.equal(feed.error, null);
  assert.ok(Array.isArray(feed.data));
  const refused = await anonClient().rpc("get_feed", { p_limit: 5 });
  assert.equal(refused.error?.code, "42501", "get_feed is for signed-in members");
});

Deno.test("functions: verify_jwt off (health) and on (whoami)", async (t) => {
  const candidate = await createUser("candidate");
  const functionsUrl = `${platform.url}/functions/v1`;

  await t.step("verify_jwt = false: reachable with or without a session", async () => {
    for (const client of [anonClient(), candidate.client]) {
      const { data, error } = await client.functions.invoke("health", { method: "GET" });
      assert.equal(error, null);
      assert.equal(data.status, "ok");
      assert.ok(!Number.isNaN(Date.parse(data.time)));
    }
    const bare = await fetch(`${functionsUrl}/health`);
    assert.equal(bare.status, 200, "no Authorization header at all");
    await bare.body?.cancel();
  });

  await t.step("verify_jwt = true: a session reaches the function", async () => {
    const asUser = await candidate.client.functions.invoke("whoami", { method: "GET" });
    assert.equal(asUser.error, null);
    assert.deepEqual(asUser.data, { userId: candidate.id, role: "candidate" });
    const asService = await serviceClient().functions.invoke("whoami", { method: "GET" });
    assert.deepEqual(asService.data, { userId: null, role: "service_role" });
  });

  await t.step("verify_jwt = true: the gateway refuses a request without a token", async () => {
    const bare = await fetch(`${functionsUrl}/whoami`);
    assert.equal(bare.status, 401);
    assert.deepEqual(await bare.json(), { code: 401, message: "Missing authorization header" });
    // The publishable key passes the gateway (it is the anon JWT); the function wants a user.
    const { error } = await anonClient().functions.invoke("whoami", { method: "GET" });
    assert.ok(error instanceof FunctionsHttpError);
    assert.equal(error.context.status, 401);
    assert.equal((await error.context.json()).error.code, "invalid_token");
  });

  await t.step("unknown function: 404", async () => {
    const { error } = await anonClient().functions.invoke("no-such-function");
    assert.ok(error instanceof FunctionsHttpError);
    assert.equal(error.context.status, 404);
    await error.context.body?.cancel();
  });
});

Deno.test(
  "expired and forged tokens are refused by REST, RPC, Auth and Functions",
  async () => {
    const candidate = await createUser("candidate");
    const tokens = await badTokens(candidate);

    for (const [kind, token] of Object.entries(tokens)) {
      const client = clientWithToken(token);
      const rest = await client.from("jobs").select("id").limit(1);
      assert.equal(rest.status, 401, `${kind} token: REST`);
      const rpc = await client.rpc("search_jobs", { p_limit: 1 });
      assert.equal(rpc.status, 401, `${kind} token: RPC`);
      const auth = await client.auth.getUser(token);
      assert.ok(
        auth.error && auth.error.status! >= 401 && auth.error.status! <= 403,
        `${kind}: Auth`,
      );

      const { error } = await client.functions.invoke("whoami", { method: "GET" });
      assert.ok(error instanceof FunctionsHttpError, `${kind} token: Functions`);
      assert.equal(error.context.status, 401);
      assert.deepEqual(await error.context.json(), { code: 401, message: "Invalid JWT" });
    }
    const expired = await clientWithToken(tokens.expired).from("jobs").select("id").limit(1);
    assert.equal(expired.error?.code, "PGRST303", "PostgREST's JWT expired code");
  },
);
