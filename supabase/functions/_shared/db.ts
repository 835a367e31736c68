// One Postgres connection pool per function instance, from SUPABASE_DB_URL (set by the platform
// on hosted Supabase and locally). Set-based work and queue operations go through it.

import { postgres } from "./deps.ts";

export type Sql = postgres.Sql;

let pool: Sql | undefined;

export function database(): Sql {
  if (!pool) {
    const url = Deno.env.get("SUPABASE_DB_URL");
    if (!url) throw new Error("SUPABASE_DB_URL is not set");
    pool = postgres(url, {
      max: Number(Deno.env.get("DB_POOL_SIZE") ?? "4"),
      idle_timeout: 30,
      prepare: false, // works behind Supavisor's transaction mode too
      onnotice: () => {},
    });
  }
  return pool;
}
