// CORS of the Edge Functions (supabase/functions/_shared/cors.ts): origins come from
// ALLOWED_ORIGINS; an allowed origin gets its own name back with credentials, `*` allows any
// origin without credentials, anything else gets no CORS headers and a refused preflight. Checked
// on an endpoint built with defineEndpoint, in this process, for each setting of ALLOWED_ORIGINS.

import assert from "node:assert/strict";
import { defineEndpoint } from "../../supabase/functions/_shared/endpoint.ts";
import { jsonResponse } from "../../supabase/functions/_shared/http.ts";
import { fakePlatform } from "../_support/fake_platform.ts";

const SERVICE_KEY = "unit-test-service-key";

const probe = defineEndpoint({
  name: "cors-test",
  method: "GET",
  callers: "user_or_service",
  handle: () => Promise.resolve(jsonResponse(200, { ok: true })),
});

/** The probe of a function instance configured with this ALLOWED_ORIGINS. */
function probeWith(allowedOrigins: string | undefined) {
  const { deps } = fakePlatform({
    ALLOWED_ORIGINS: allowedOrigins,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
    JWT_SECRET: "unit-test-jwt-secret-of-at-least-32-characters",
  });
  const handle = probe(deps);
  return {
    preflight: (origin: string) =>
      handle(
        new Request("http://functions.local/cors-test", {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization",
          },
        }),
      ),
    call: (origin: string, token = SERVICE_KEY) =>
      handle(
        new Request("http://functions.local/cors-test", {
          headers: { origin, authorization: `Bearer ${token}` },
        }),
      ),
  };
}

const allowList = "https://emploi.plus, https://admin.emploi.plus";

Deno.test(
  "an allowed origin gets its name back, with credentials, on preflights, answers and errors",
  async () => {
    const { preflight, call } = probeWith(allowList);
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
  },
);

Deno.test(
  "another origin gets no CORS headers and its preflight is refused",
  async () => {
    const { preflight, call } = probeWith(allowList);
    for (const origin of ["https://evil.example", "https://emploi.plus.evil.example", "null"]) {
      const answer = await preflight(origin);
      assert.equal(answer.status, 403, origin);
      assert.equal(answer.headers.get("access-control-allow-origin"), null, origin);
      const response = await call(origin);
      assert.equal(response.headers.get("access-control-allow-origin"), null, origin);
      assert.equal(response.headers.get("access-control-allow-credentials"), null, origin);
      await response.body?.cancel();
    }
  },
);

Deno.test(
  "`*` allows any origin, never with credentials; no ALLOWED_ORIGINS allows none",
  async () => {
    const answer = await probeWith("*").preflight("https://anywhere.example");
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get("access-control-allow-origin"), "*");
    assert.equal(answer.headers.get("access-control-allow-credentials"), null);
    assert.equal((await probeWith(undefined).preflight("https://emploi.plus")).status, 403);
  },
);

Deno.test(
  "an entry ending in `:*` allows its scheme and host on any port, nothing else",
  async () => {
    const { preflight } = probeWith("http://localhost:*, https://emploi.plus");
    for (const origin of ["http://localhost:5173", "http://localhost:3000"]) {
      const answer = await preflight(origin);
      assert.equal(answer.status, 204, origin);
      assert.equal(answer.headers.get("access-control-allow-origin"), origin);
    }
    for (
      const origin of [
        "http://localhost",
        "https://localhost:5173",
        "http://localhost.evil.example:5173",
        "http://localhost:5173.evil.example",
      ]
    ) {
      assert.equal((await preflight(origin)).status, 403, origin);
    }
  },
);
