// Who is calling: the service role, or a signed-in user whose role is read from the database
// (never trusted from the token alone).
// Tokens are verified in code: with JWT_SECRET when the project signs with a shared secret (the
// local platform), otherwise against the project's JWKS (asymmetric signing keys on hosted Supabase).

import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "./deps.ts";
import { HttpError } from "./http.ts";
import type { Env, FunctionDeps } from "./platform.ts";
import { timingSafeEqual } from "./webhook_auth.ts";

export type Caller =
  | { kind: "service" }
  /** Presented the project's WEBHOOK_SECRET: the old backend's callers, and pg_net doorbells. */
  | { kind: "webhook" }
  | { kind: "user"; userId: string; role: "candidate" | "company" | "admin" };

/** The JWKS of each project URL, fetched once and cached by jose. */
const remoteKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function bearerToken(request: Request): string | null {
  return request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;
}

/** The project's service keys: the legacy JWT and the `sb_secret_…` keys. */
function serviceKeys(env: Env): string[] {
  const keys = [env.get("SUPABASE_SERVICE_ROLE_KEY") ?? ""];
  try {
    const secretKeys = JSON.parse(env.get("SUPABASE_SECRET_KEYS") ?? "{}");
    keys.push(...Object.values(secretKeys as Record<string, string>));
  } catch { /* not set or not JSON: legacy keys only */ }
  return keys.filter((key) => key !== "");
}

/** True when the token is one of the project's service keys. */
function isServiceKey(token: string, env: Env): boolean {
  return serviceKeys(env).some((key) => timingSafeEqual(token, key));
}

function remoteKeySet(env: Env): ReturnType<typeof createRemoteJWKSet> {
  const url = `${env.get("SUPABASE_URL")}/auth/v1/.well-known/jwks.json`;
  let keys = remoteKeySets.get(url);
  if (!keys) remoteKeySets.set(url, keys = createRemoteJWKSet(new URL(url)));
  return keys;
}

async function verifyToken(token: string, env: Env): Promise<JWTPayload> {
  try {
    const secret = env.get("JWT_SECRET");
    if (secret) {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: ["HS256"],
      });
      return payload;
    }
    const { payload } = await jwtVerify(token, remoteKeySet(env));
    return payload;
  } catch (error) {
    const expired = error instanceof Error && error.name === "JWTExpired";
    throw new HttpError(
      401,
      expired ? "token_expired" : "invalid_token",
      expired ? "The access token has expired." : "The access token is invalid.",
    );
  }
}

/** Authenticates the caller from the Authorization header; 401 when absent or invalid. */
export async function authenticate(
  request: Request,
  { env, sql }: FunctionDeps,
): Promise<Caller> {
  const token = bearerToken(request);
  if (!token) throw new HttpError(401, "missing_token", "Missing Authorization bearer token.");
  if (isServiceKey(token, env)) return { kind: "service" };
  const claims = await verifyToken(token, env);
  if (claims.role === "service_role") return { kind: "service" };
  if (claims.role !== "authenticated" || typeof claims.sub !== "string") {
    throw new HttpError(401, "invalid_token", "A signed-in user is required.");
  }
  const [profile] = await sql<{ role: "candidate" | "company" | "admin" }[]>`
    select role from public.profiles where id = ${claims.sub}::uuid`;
  if (!profile) throw new HttpError(403, "no_profile", "The user has no Emploi+ profile.");
  return { kind: "user", userId: claims.sub, role: profile.role };
}

/** Only the service role or an admin may go on; 403 for everyone else. */
export function requireAdminOrService(caller: Caller | null): void {
  if (caller === null) throw new HttpError(401, "missing_token", "Authentication required.");
  if (caller.kind === "service" || (caller.kind === "user" && caller.role === "admin")) return;
  throw new HttpError(
    403,
    "forbidden",
    "This endpoint is reserved to admins and the service role.",
  );
}

/**
 * A stable key for rate limiting: the user id, the service role, the webhook secret holder, or
 * the client address. The address is the LAST x-forwarded-for entry, the one the proxy in front
 * of the function appended: earlier entries come from the client and could be forged.
 */
export function callerKey(caller: Caller | null, request: Request): string {
  if (caller?.kind === "user") return `user:${caller.userId}`;
  if (caller) return caller.kind;
  const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  return `ip:${forwarded || "unknown"}`;
}
