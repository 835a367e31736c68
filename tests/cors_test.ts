// CORS of the Edge Functions (supabase/functions/_shared/cors.ts): origins come from
// ALLOWED_ORIGINS; an allowed origin gets its own name back with credentials, `*` allows any
// origin without credentials, anything else gets no CORS headers and a refused preflight. Checked
// on an endpoint built with createEndpoint, in this process, for each setting of ALLOWED_ORIGINS.

import assert from "node:assert/strict";
import { platform } from "./_support/platform.ts";
import { createEndpoint } from "../supabase/functions/_shared/endpoint.ts";
import { jsonResponse } from "../supabase/functions/_shared/http.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

// The pipeline reads these as a deployed function would (run by hand, they come from keys.json).
Deno.env.set("SUPABASE_DB_URL", platform.databaseUrl);
Deno.env.set("SUPABASE_SERVICE_ROLE_KEY", platform.serviceRoleKey);

const probe = createEndpoint({
  name: "cors-test",
  method: "GET",
  callers: "user_or_service",
  handle: () => Promise.resolve(jsonResponse(200, { ok: true })),
});

function preflight(origin: string): Promise<Response> {
  return probe(
    new Request("http://functions.local/cors-test", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    }),
  );
}

function call(origin: string, token = platform.serviceRoleKey): Promise<Response> {
  return probe(
    new Request("http://functions.local/cors-test", {
      headers: { origin, authorization: `Bearer ${token}`, "x-forwarded-for": "198.19.0.1" },
    }),
  );
}

function withAllowedOrigins(value: string | undefined, test: () => Promise<void>) {
  return async () => {
    const previous = Deno.env.get("ALLOWED_ORIGINS");
    if (value === undefined) Deno.env.delete("ALLOWED_ORIGINS");
    else Deno.env.set("ALLOWED_ORIGINS", value);
    try {
      await test();
    } finally {
      if (previous === undefined) Deno.env.delete("ALLOWED_ORIGINS");
      else Deno.env.set("ALLOWED_ORIGINS", previous);
    }
  };
}

const allowList = "https://emploi.plus, https://admin.emploi.plus";

Deno.test(
  "an allowed origin gets its name back, with credentials, on preflights, answers and errors",
  options,
  withAllowedOrigins(allowList, async () => {
    const answer = await preflight("https://admin.emploi.plus");
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get("access-control-allow-origin"), "https://admin.emploi.plus");
    assert.equal(answer.headers.get("access-control-allow-credentials"), "true");
    assert.match(answer.headers.get("access-control-allow-headers")!, /authorization/);
    assert.match(answer.headers.get("vary")!, /Origin/);

    const ok = await call("https://emploi.plus");
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://emploi.plus");
    await ok.body?.cancel();

    // Errors carry CORS headers too, so the browser lets the frontend read what went wrong.
    const refused = await call("https://emploi.plus", "not-a-token");
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get("access-control-allow-origin"), "https://emploi.plus");
    assert.match(refused.headers.get("access-control-expose-headers")!, /retry-after/);
    await refused.body?.cancel();
  }),
);

Deno.test(
  "another origin gets no CORS headers and its preflight is refused",
  options,
  withAllowedOrigins(allowList, async () => {
    for (const origin of ["https://evil.example", "https://emploi.plus.evil.example", "null"]) {
      const answer = await preflight(origin);
      assert.equal(answer.status, 403, origin);
      assert.equal(answer.headers.get("access-control-allow-origin"), null, origin);
      const response = await call(origin);
      assert.equal(response.headers.get("access-control-allow-origin"), null, origin);
      assert.equal(response.headers.get("access-control-allow-credentials"), null, origin);
      await response.body?.cancel();
    }
  }),
);

Deno.test(
  "`*` allows any origin, never with credentials; no ALLOWED_ORIGINS allows none",
  options,
  async () => {
    await withAllowedOrigins("*", async () => {
      const answer = await preflight("https://anywhere.example");
      assert.equal(answer.status, 204);
      assert.equal(answer.headers.get("access-control-allow-origin"), "*");
      assert.equal(answer.headers.get("access-control-allow-credentials"), null);
    })();
    await withAllowedOrigins(undefined, async () => {
      assert.equal((await preflight("https://emploi.plus")).status, 403);
    })();
  },
);
