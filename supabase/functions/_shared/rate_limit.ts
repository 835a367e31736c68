// 120 requests per minute per caller per function (SPEC §5), shared by all instances through
// Postgres (private.take_rate_limit_token). Limits can be changed per function with
// RATE_LIMIT_<FUNCTION_NAME>=<requests per minute>, e.g. RATE_LIMIT_NOTIFY=600.

import { HttpError } from "./http.ts";
import type { Env, FunctionDeps } from "./platform.ts";

export const DEFAULT_REQUESTS_PER_MINUTE = 120;

/**
 * Functions whose default differs: the queue worker is rung by the database on every enqueue
 * (pg_net doorbells), so a burst of inserts must not be refused at 120 per minute.
 */
const DEFAULT_LIMITS: Record<string, number> = { "queue-worker": 6000 };

export function requestsPerMinute(functionName: string, env: Env): number {
  const variable = `RATE_LIMIT_${functionName.toUpperCase().replaceAll("-", "_")}`;
  const configured = Number(env.get(variable));
  if (Number.isInteger(configured) && configured > 0) return configured;
  return DEFAULT_LIMITS[functionName] ?? DEFAULT_REQUESTS_PER_MINUTE;
}

/** Takes one request from the caller's budget; 429 with Retry-After when it is spent. */
export async function enforceRateLimit(
  { env, sql }: FunctionDeps,
  functionName: string,
  callerKey: string,
): Promise<void> {
  const limit = requestsPerMinute(functionName, env);
  const [result] = await sql<{ allowed: boolean; retry_after_seconds: number }[]>`
    select * from private.take_rate_limit_token(${`${functionName}:${callerKey}`}, ${limit}, 60)`;
  if (!result.allowed) {
    throw new HttpError(
      429,
      "rate_limited",
      `Too many requests: limit is ${limit} per minute.`,
      undefined,
      { "retry-after": String(result.retry_after_seconds) },
    );
  }
}
