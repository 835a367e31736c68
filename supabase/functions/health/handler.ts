// health: a public liveness probe for uptime checks (verify_jwt = false in config.toml).
// GET → 200 {status: "ok", time}. It answers from the function alone, without the database and
// without the shared endpoint pipeline (caller authentication, Postgres rate limit): a probe must
// stay cheap to poll and must not be throttled, and it then also measures the bare function path.

import { corsHeaders, preflightResponse } from "../_shared/cors.ts";
import { errorResponse, HttpError, jsonResponse } from "../_shared/http.ts";
import type { FunctionDeps } from "../_shared/platform.ts";

export function createHealthHandler(
  { env }: Pick<FunctionDeps, "env">,
): (request: Request) => Response {
  return (request) => answerHealth(request, env);
}

function answerHealth(request: Request, env: FunctionDeps["env"]): Response {
  if (request.method === "OPTIONS") return preflightResponse(request, env);
  const headers = { ...corsHeaders(request, env), "cache-control": "no-store" };
  if (request.method !== "GET") {
    return errorResponse(
      new HttpError(405, "method_not_allowed", "Use GET.", undefined, { allow: "GET, OPTIONS" }),
      headers,
    );
  }
  return jsonResponse(200, { status: "ok", time: new Date().toISOString() }, headers);
}
