// A platform for unit tests: settings from a plain record and a database that answers from the
// test's script, so a handler runs in this process with no Postgres and no gateway. Every query is
// recorded, so a test can check what was (and was not) written.

import type { Sql } from "../../supabase/functions/_shared/db.ts";
import { envFrom, type FunctionDeps } from "../../supabase/functions/_shared/platform.ts";

export interface RecordedQuery {
  /** The query text, with `$` where the values go. */
  text: string;
  values: unknown[];
}

/** Rows for a query, or undefined to fall back on the defaults (the rate limiter lets it pass). */
export type Answer = (query: RecordedQuery) => unknown[] | undefined;

export interface FakePlatform {
  deps: FunctionDeps;
  queries: RecordedQuery[];
}

/** The rate limiter's answer: allowed, or refused with the seconds to wait. */
export function rateLimitAnswer(retryAfterSeconds?: number): unknown[] {
  return [{
    allowed: retryAfterSeconds === undefined,
    retry_after_seconds: retryAfterSeconds ?? 0,
  }];
}

export function fakePlatform(
  settings: Record<string, string | undefined>,
  answer: Answer = () => undefined,
): FakePlatform {
  const queries: RecordedQuery[] = [];
  const query = (strings: TemplateStringsArray, ...values: unknown[]) => {
    const recorded = { text: strings.join("$"), values };
    queries.push(recorded);
    const rows = answer(recorded) ??
      (recorded.text.includes("take_rate_limit_token") ? rateLimitAnswer() : []);
    return Promise.resolve(rows);
  };
  // What the product code uses of postgres.js besides queries: json values and transactions.
  const sql = Object.assign(query, {
    json: (value: unknown) => value,
    begin: (work: (transaction: unknown) => Promise<unknown>) => work(sql),
  }) as unknown as Sql;
  return { deps: { env: envFrom(settings), sql }, queries };
}

/** Sends `body` as JSON with the given headers to a handler, as the gateway would. */
export function jsonRequest(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Request {
  return new Request(`http://functions.local/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
