// Local CORS as a browser meets it: the local platform answers the usual frontend dev-server
// origins (Vite, Next.js, Angular, …, on localhost, 127.0.0.1 or [::1]) on every surface — REST,
// Auth, Realtime's REST API through the gateway (as hosted Supabase's gateway does), Edge
// Functions from their ALLOWED_ORIGINS, which the local platform defaults to those origins. Any
// other origin is still refused by the functions (the allow-list deployments keep).

import assert from "node:assert/strict";
import { platform } from "./_support/platform.ts";

const DEV_SERVER_ORIGINS = [
  "http://localhost:5173", // Vite
  "http://localhost:3000", // Next.js, Nuxt, Remix
  "http://localhost:4200", // Angular
  "http://127.0.0.1:8080", // Vue CLI, webpack
  "http://[::1]:4321", // Astro
];

/** The preflight and request headers supabase-js sends. */
const CLIENT_HEADERS = "authorization, apikey, content-type, x-client-info";

const SURFACES: { name: string; path: string; method: string }[] = [
  { name: "REST", path: "/rest/v1/jobs?select=id&limit=1", method: "GET" },
  { name: "Auth", path: "/auth/v1/settings", method: "GET" },
  { name: "Realtime REST", path: "/realtime/v1/api/broadcast", method: "POST" },
  { name: "Functions", path: "/functions/v1/health", method: "GET" },
];

function preflight(path: string, origin: string, method: string): Promise<Response> {
  return fetch(`${platform.url}${path}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      "access-control-request-headers": CLIENT_HEADERS,
    },
  });
}

/** What a browser checks before it lets the page read an answer. */
function allowsOrigin(response: Response, origin: string): boolean {
  const allowed = response.headers.get("access-control-allow-origin");
  return allowed === "*" || allowed === origin;
}

Deno.test("every surface answers the preflight of a local dev server's origin", async () => {
  for (const origin of DEV_SERVER_ORIGINS) {
    for (const surface of SURFACES) {
      const answer = await preflight(surface.path, origin, surface.method);
      await answer.body?.cancel();
      const what = `${surface.name} from ${origin}`;
      assert.ok(answer.status >= 200 && answer.status < 300, `${what}: ${answer.status}`);
      assert.ok(allowsOrigin(answer, origin), what);
      const allowedHeaders = answer.headers.get("access-control-allow-headers") ?? "";
      for (const header of CLIENT_HEADERS.split(", ")) {
        assert.match(allowedHeaders, new RegExp(header, "i"), `${what}: ${header}`);
      }
      assert.match(answer.headers.get("access-control-allow-methods") ?? "", /POST/, what);
    }
  }
});

Deno.test("answers, errors included, carry the CORS headers a browser needs to read them", async () => {
  const origin = "http://localhost:5173";
  const headers = { origin, apikey: platform.publishableKey };
  const rows = await fetch(`${platform.url}/rest/v1/jobs?select=id&limit=1`, { headers });
  await rows.body?.cancel();
  assert.equal(rows.status, 200);
  assert.ok(allowsOrigin(rows, origin));
  assert.match(rows.headers.get("access-control-expose-headers") ?? "", /content-range/i);

  const refused = await fetch(`${platform.url}/rest/v1/messages?select=id`, {
    headers: { origin, apikey: platform.publishableKey },
  });
  await refused.body?.cancel();
  assert.equal(refused.status, 401);
  assert.ok(allowsOrigin(refused, origin));

  const badLogin = await fetch(`${platform.url}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ email: "nobody@example.com", password: "wrong-password" }),
  });
  await badLogin.body?.cancel();
  assert.equal(badLogin.status, 400);
  assert.ok(allowsOrigin(badLogin, origin));

  const health = await fetch(`${platform.url}/functions/v1/health`, { headers: { origin } });
  await health.body?.cancel();
  assert.equal(health.status, 200);
  assert.equal(health.headers.get("access-control-allow-origin"), origin);
});

Deno.test("functions still refuse origins outside their allow-list", async () => {
  for (const origin of ["https://evil.example", "http://localhost.evil.example:3000"]) {
    const answer = await preflight("/functions/v1/health", origin, "GET");
    await answer.body?.cancel();
    assert.equal(answer.status, 403, origin);
    assert.equal(answer.headers.get("access-control-allow-origin"), null, origin);
  }
});
