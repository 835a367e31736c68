// What a function takes from the platform it runs on: its settings and its database. Each
// function's index.ts wires the real ones; tests pass their own, so a handler runs in-process with
// the settings and the database the test chose, and every setting is read when it is used.

import { openDatabase, type Sql } from "./db.ts";

/** Read-only settings: Deno.env on the platform, a plain map in tests. */
export interface Env {
  get(name: string): string | undefined;
}

export interface FunctionDeps {
  env: Env;
  sql: Sql;
}

/** The platform's environment, and a pool on its SUPABASE_DB_URL (connected on first query). */
export function platformDeps(): FunctionDeps {
  return { env: Deno.env, sql: openDatabase(Deno.env) };
}

/** Settings from a plain record (tests, child processes). */
export function envFrom(values: Record<string, string | undefined>): Env {
  return { get: (name) => values[name] };
}
