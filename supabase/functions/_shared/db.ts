// The Postgres pool of a function instance, on SUPABASE_DB_URL (set by the platform on hosted
// Supabase and locally). Set-based work and queue operations go through it.

import { postgres } from "./deps.ts";
import type { Env } from "./platform.ts";

export type Sql = postgres.Sql;

/** A pool of DB_POOL_SIZE (default 4) connections, opened as queries need them. */
export function openDatabase(env: Env): Sql {
  const url = env.get("SUPABASE_DB_URL");
  if (!url) throw new Error("SUPABASE_DB_URL is not set");
  return postgres(url, {
    max: Number(env.get("DB_POOL_SIZE") ?? "4"),
    idle_timeout: 30,
    prepare: false, // works behind Supavisor's transaction mode too
    onnotice: () => {},
  });
}
