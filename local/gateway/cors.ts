// CORS of the local gateway, as hosted Supabase's API gateway (Kong's cors plugin) answers it on
// /rest/v1, /auth/v1, /storage/v1 and /realtime/v1: any origin, the request's own headers, the
// gateway answering preflights itself. /functions/v1 is left to the functions, as hosted: they
// answer from ALLOWED_ORIGINS (supabase/functions/_shared/cors.ts), which the local platform
// defaults to the loopback origins of frontend dev servers (Vite, Next.js, …) on any port.

export const LOCAL_FRONTEND_ORIGINS = [
  "http://localhost:*",
  "http://127.0.0.1:*",
  "http://[::1]:*",
].join(",");

const ALLOWED_METHODS = "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS";
const DEFAULT_ALLOWED_HEADERS =
  "authorization, x-client-info, apikey, content-type, prefer, range, accept-profile, content-profile, x-upsert, x-supabase-api-version";
const EXPOSED_HEADERS =
  "content-range, content-location, content-length, preference-applied, range-unit, retry-after, x-total-count";

export function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.has("access-control-request-method");
}

export function preflightAnswer(request: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": "*",
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers": request.headers.get("access-control-request-headers") ??
        DEFAULT_ALLOWED_HEADERS,
      "access-control-max-age": "3600",
    },
  });
}

/** The service's answer with the gateway's CORS headers in place of any the service set. */
export function withCors(response: Response): Response {
  // WebSocket upgrades (101) are answered by Deno and cannot be rebuilt.
  if (response.status === 101) return response;
  const headers = new Headers(response.headers);
  for (const name of [...headers.keys()]) {
    if (name.startsWith("access-control-")) headers.delete(name);
  }
  headers.set("access-control-allow-origin", "*");
  headers.set("access-control-expose-headers", EXPOSED_HEADERS);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
