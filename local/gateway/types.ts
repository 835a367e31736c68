// Contract between the gateway (server.ts) and the services mounted under it.

import type { PlatformKeys } from "../platform/keys.ts";

export interface GatewayContext {
  /** Postgres URL of a superuser-capable login (postgres) on the local database. */
  databaseUrl: string;
  /** URL the gateway listens on, e.g. http://127.0.0.1:54321 — what SUPABASE_URL is for functions. */
  apiUrl: string;
  keys: PlatformKeys;
  /** Repository root (where supabase/ lives). */
  projectRoot: string;
  /** True under `npm start` (watch and restart functions), false under tests. */
  watch: boolean;
}

/**
 * A service mounted at a path prefix. By the time a request reaches it, the gateway has already
 * translated `sb_publishable_…` / `sb_secret_…` API keys into the matching anon / service_role JWT in
 * the `Authorization` header (as hosted Supabase does), so services only ever verify JWTs.
 */
export interface MountedService {
  handle(request: Request, info: Deno.ServeHandlerInfo): Response | Promise<Response>;
  close(): Promise<void>;
}
