// /rest/v1 (PostgREST) and /auth/v1 (GoTrue) for the local platform: @supabase/lite 0.10 on the
// local Postgres, with the few adjustments that make it answer like hosted Supabase.
// Why lite, and what each adjustment fixes: REST_AUTH.md next to this file.

import postgres from "postgres";
import { App } from "@supabase/lite";
import { parse as parseToml } from "smol-toml";
import type { GatewayContext, MountedService } from "./types.ts";
import { PostgrestConnection } from "./rest/postgrest_connection.ts";
import { BooleanParameters, refuseUpFront } from "./rest/request_guard.ts";
import { createAuthConnection } from "./auth/auth_connection.ts";
import { withGotrueAccessToken } from "./auth/access_token.ts";
import { createAdminUsersApi } from "./auth/admin_users.ts";
import { createAbuseGuard, DEFAULT_LIMITS } from "./auth/abuse_guard.ts";

// The gateway has already turned API keys into a JWT in `Authorization`, so lite's own API-key
// check is off; it never elevates keyless requests (admin mode) and serves no studio pages.
const serverOptions = { apiKeys: false, admin: false, disableStudio: true } as const;

/** The same database as `databaseUrl`, logged in as `role` (10_roles.sql gives it a password). */
function urlForRole(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = "postgres";
  return url.href;
}

type Table = Record<string, unknown>;

/**
 * The `[api]` and `[auth]` tables of supabase/config.toml, which `supabase start` configures
 * PostgREST and GoTrue from. lite takes the same keys (schemas, max_rows, site_url, jwt_expiry,
 * minimum_password_length, email.enable_confirmations, ...).
 */
async function readProjectConfig(projectRoot: string): Promise<{ api: Table; auth: Table }> {
  let text = "";
  try {
    text = await Deno.readTextFile(`${projectRoot}/supabase/config.toml`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const config = parseToml(text);
  return { api: (config.api ?? {}) as Table, auth: (config.auth ?? {}) as Table };
}

async function createRestService(ctx: GatewayContext, api: Table): Promise<MountedService> {
  const connection = new PostgrestConnection(ctx.databaseUrl);
  const app = new App(
    {
      connection,
      api,
      auth: { enabled: true, jwt_secret: ctx.keys.jwtSecret },
      // The Supabase CLI alone records migration history (supabase_migrations).
      db: { migrations: { enabled: false } },
      options: { server: serverOptions },
    },
  );
  await app.init();

  // PostgREST reloads its schema cache on `NOTIFY pgrst`; 20_auth.sql sends it after any DDL, so
  // what `supabase db push` creates is served without restarting the gateway.
  const listener = postgres(ctx.databaseUrl, { max: 1, onnotice: () => {} });
  const catalog = postgres(ctx.databaseUrl, { max: 1, onnotice: () => {} });
  const booleans = new BooleanParameters(catalog);
  await listener.listen("pgrst", (payload) => {
    if (payload === "" || payload === "reload schema") {
      connection.clearSchemaCache();
      booleans.clear();
    }
  });

  return {
    handle: async (request) =>
      await refuseUpFront(request, ctx.keys.jwtSecret, booleans) ?? await app.fetch(request),
    async close() {
      await listener.end();
      await catalog.end();
      await connection.close();
    },
  };
}

async function createAuthService(ctx: GatewayContext, config: Table): Promise<MountedService> {
  // [auth.rate_limit] configures hosted GoTrue; lite has no such table (its configuration schema
  // refuses it), and the abuse guard below does the local throttling.
  const { rate_limit: _hostedRateLimits, ...auth } = config;
  // GoTrue logs in as supabase_auth_admin: triggers on auth.users run as that role, as on hosted.
  const authAdminUrl = urlForRole(ctx.databaseUrl, "supabase_auth_admin");
  const connection = createAuthConnection(authAdminUrl);
  const app = new App(
    {
      connection,
      auth: {
        ...auth,
        enabled: true,
        jwt_secret: ctx.keys.jwtSecret,
        // No mail leaves this machine, so lite confirms accounts at once whatever the file says
        // for hosted projects; the abuse guard still answers sign-ups as with confirmations on
        // (a user awaiting confirmation, no session), so a sign-up never tells known e-mails.
        email: { ...(auth.email as Table | undefined), enable_confirmations: false },
      },
      db: { migrations: { enabled: false } },
      options: { server: serverOptions },
    },
  );
  await app.init();

  const adminSql = postgres(authAdminUrl, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: "local-auth-admin" },
  });
  const adminUsers = createAdminUsersApi(adminSql, {
    jwtSecret: ctx.keys.jwtSecret,
    minimumPasswordLength: Number(auth.minimum_password_length ?? 6),
  });
  const issuer = `${ctx.apiUrl}/auth/v1`;
  const guard = createAbuseGuard(adminSql, {
    minimumPasswordLength: Number(auth.minimum_password_length ?? 6),
    passwordRequirements: String(auth.password_requirements ?? ""),
    refreshTokenReuseIntervalSeconds: Number(auth.refresh_token_reuse_interval ?? 10),
    ...DEFAULT_LIMITS,
  });

  return {
    async handle(request, info) {
      if (new URL(request.url).pathname.startsWith("/auth/v1/admin/")) {
        return await adminUsers.handle(request);
      }
      return await guard.handle(request, (info.remoteAddr as Deno.NetAddr).hostname, async () => {
        const response = await app.fetch(request);
        return await withGotrueAccessToken(request, response, ctx.keys.jwtSecret, issuer);
      });
    },
    async close() {
      await adminSql.end();
      await connection.close();
    },
  };
}

export async function createRestAuthService(
  ctx: GatewayContext,
): Promise<{ rest: MountedService; auth: MountedService }> {
  const config = await readProjectConfig(ctx.projectRoot);
  const [rest, auth] = await Promise.all([
    createRestService(ctx, config.api),
    createAuthService(ctx, config.auth),
  ]);
  return { rest, auth };
}
