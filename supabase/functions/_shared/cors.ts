// CORS from the ALLOWED_ORIGINS allow-list: comma-separated origins, each exact
// (`https://app.emploi.plus`) or with any port (`http://localhost:*`, what the local platform
// allows by default for dev servers), or `*` for any origin without credentials. Origins not on
// the list get no CORS headers, so browsers refuse them.

import type { Env } from "./platform.ts";

const ALLOWED_HEADERS = [
  "authorization",
  "x-client-info",
  "apikey",
  "content-type",
  "x-webhook-secret",
  "x-webhook-signature",
  "x-webhook-timestamp",
].join(", ");

function allowedOrigins(env: Env): string[] {
  return (env.get("ALLOWED_ORIGINS") ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** `origin` is `entry`, or `entry` ends with `:*` and `origin` is its scheme and host with a port. */
function matches(entry: string, origin: string): boolean {
  if (entry === origin) return true;
  if (!entry.endsWith(":*")) return false;
  const prefix = entry.slice(0, -1);
  return origin.startsWith(prefix) && /^\d{1,5}$/.test(origin.slice(prefix.length));
}

export function corsHeaders(request: Request, env: Env): Record<string, string> {
  const origin = request.headers.get("origin");
  if (!origin) return {};
  const allowed = allowedOrigins(env);
  const headers: Record<string, string> = {
    "access-control-allow-headers": ALLOWED_HEADERS,
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-expose-headers": "retry-after",
    "access-control-max-age": "600",
    "vary": "Origin",
  };
  if (allowed.some((entry) => matches(entry, origin))) {
    return {
      ...headers,
      "access-control-allow-origin": origin,
      "access-control-allow-credentials": "true",
    };
  }
  if (allowed.includes("*")) return { ...headers, "access-control-allow-origin": "*" };
  return { vary: "Origin" };
}

/** Answers a CORS preflight: 204 for allowed origins, 403 otherwise. */
export function preflightResponse(request: Request, env: Env): Response {
  const headers = corsHeaders(request, env);
  const allowed = "access-control-allow-origin" in headers;
  return new Response(null, { status: allowed ? 204 : 403, headers });
}
