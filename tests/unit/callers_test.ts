// Who may call: service keys, signed-in users whose role is read from the database, and the
// refusals (missing, forged, expired tokens; a role that may not), on notify and whoami in this
// process with a fake database. The service keys are the ones given to the handler when it is
// created, so a key set by a test is honoured. No platform needed.

import assert from "node:assert/strict";
import { signJwt } from "../../local/platform/jwt.ts";
import { createNotifyHandler } from "../../supabase/functions/notify/handler.ts";
import { createWhoamiHandler } from "../../supabase/functions/whoami/handler.ts";
import { createHealthHandler } from "../../supabase/functions/health/handler.ts";
import { envFrom } from "../../supabase/functions/_shared/platform.ts";
import { fakePlatform, jsonRequest } from "../_support/fake_platform.ts";

const JWT_SECRET = "unit-test-jwt-secret-of-at-least-32-characters";
const settings = {
  JWT_SECRET,
  SUPABASE_SERVICE_ROLE_KEY: "legacy-service-role-key",
  SUPABASE_SECRET_KEYS: JSON.stringify({ default: "sb_secret_unit" }),
};

/** A fake database where `roles` says which users have a profile, and with which role. */
function withProfiles(roles: Record<string, string>) {
  return fakePlatform(settings, (query) => {
    if (!query.text.includes("from public.profiles")) return undefined;
    const role = roles[query.values[0] as string];
    return role ? [{ role }] : [];
  });
}

function userToken(sub: string, lifetimeSeconds = 600, secret = JWT_SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ sub, role: "authenticated", exp: now + lifetimeSeconds }, secret);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function whoami(roles: Record<string, string>, headers: Record<string, string>) {
  const response = await createWhoamiHandler(withProfiles(roles).deps)(
    new Request("http://functions.local/whoami", { headers }),
  );
  return { status: response.status, body: await response.json() };
}

Deno.test("the service keys given to the handler, legacy or sb_secret_, are the service role", async () => {
  for (const key of ["legacy-service-role-key", "sb_secret_unit"]) {
    assert.deepEqual(await whoami({}, bearer(key)), {
      status: 200,
      body: { userId: null, role: "service_role" },
    });
  }
  // Another instance, created with other settings, knows only its own keys.
  const other = fakePlatform({ JWT_SECRET, SUPABASE_SERVICE_ROLE_KEY: "another-key" });
  const response = await createWhoamiHandler(other.deps)(
    new Request("http://functions.local/whoami", { headers: bearer("legacy-service-role-key") }),
  );
  assert.equal(response.status, 401);
  await response.body?.cancel();
});

Deno.test("a signed-in user gets the role of the database, not of the token", async () => {
  const id = crypto.randomUUID();
  assert.deepEqual(await whoami({ [id]: "company" }, bearer(await userToken(id))), {
    status: 200,
    body: { userId: id, role: "company" },
  });
});

Deno.test("missing, forged, expired and profile-less tokens are refused with their reason", async () => {
  const id = crypto.randomUUID();
  const roles = { [id]: "candidate" };
  const cases: [Record<string, string>, number, string][] = [
    [{}, 401, "missing_token"],
    [bearer("not-a-jwt"), 401, "invalid_token"],
    [
      bearer(await userToken(id, 600, "another-secret-of-at-least-32-characters")),
      401,
      "invalid_token",
    ],
    [bearer(await userToken(id, -60)), 401, "token_expired"],
    [bearer(await userToken(crypto.randomUUID())), 403, "no_profile"],
  ];
  for (const [headers, status, code] of cases) {
    const answer = await whoami(roles, headers);
    assert.deepEqual([answer.status, answer.body.error.code], [status, code], code);
  }
});

Deno.test("notify: only admins and the service role may; the request is queued once", async () => {
  const [candidate, admin, member] = [
    crypto.randomUUID(),
    crypto.randomUUID(),
    crypto.randomUUID(),
  ];
  const platform = withProfiles({ [candidate]: "candidate", [admin]: "admin" });
  const notify = createNotifyHandler(platform.deps);
  const body = { title: "Bienvenue", userIds: [member, member] };

  const refused = await notify(jsonRequest("notify", body, bearer(await userToken(candidate))));
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, "forbidden");
  assert.equal(platform.queries.some((query) => query.text.includes("enqueue")), false);

  for (const token of [await userToken(admin), "sb_secret_unit"]) {
    const response = await notify(jsonRequest("notify", body, bearer(token)));
    assert.equal(response.status, 202);
    const { success, processingId } = await response.json();
    assert.equal(success, true);
    const enqueued = platform.queries.findLast((query) => query.text.includes("enqueue"))!;
    assert.deepEqual(enqueued.values[0], {
      type: "system",
      title: "Bienvenue",
      data: {},
      requestId: processingId,
      audience: { userIds: [member] },
    });
  }
});

Deno.test("notify: an audience must be exactly one of userId, userIds or role", async () => {
  const notify = createNotifyHandler(withProfiles({}).deps);
  for (
    const body of [
      { title: "Personne" },
      { title: "Deux", userId: crypto.randomUUID(), role: "candidate" },
      { title: "Filtres", userId: crypto.randomUUID(), filters: { location: "Lyon" } },
    ]
  ) {
    const response = await notify(jsonRequest("notify", body, bearer("sb_secret_unit")));
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal((await response.json()).error.code, "invalid_request");
  }
});

Deno.test("health answers GET without a database, and refuses other methods", async () => {
  const health = createHealthHandler({ env: envFrom({}) });
  const ok = health(new Request("http://functions.local/health"));
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).status, "ok");
  const refused = health(new Request("http://functions.local/health", { method: "POST" }));
  assert.equal(refused.status, 405);
  assert.equal(refused.headers.get("allow"), "GET, OPTIONS");
  await refused.body?.cancel();
});
