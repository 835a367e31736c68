// Who is calling: the service role, or a signed-in user whose role is read from the database
// (never trusted from the token alone).
// Tokens are verified in code: with JWT_SECRET when the project signs with a shared secret (the
// local platform), otherwise against the project's JWKS (asymmetric signing keys on hosted Supabase).

import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "./deps.ts";
import type { Sql } from "./db.ts";
import { HttpError } from "./http.ts";
import { timingSafeEqual } from "./webhook_auth.ts";

export type Caller =
  | { kind: "service" }
  /** Presented the project's WEBHOOK_SECRET: the old backend's callers, and pg_net doorbells. */
  | { kind: "webhook" }
  | { kind: "user"; userId: string; role: "candidate" | "company" | "admin" };

let remoteKeys: ReturnType<typeof createRemoteJWKSet> | undefined;

function bearerToken(request: Request): string | null {
  return request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;
}

/** The project's service keys (legacy JWT and `sb_secret_…`), read once per instance. */
const serviceKeys: string[] = (() => {
  const keys = [Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? ""];
  try {
    const secretKeys = JSON.parse(Deno.env.get("SUPABASE_SECRET_KEYS") ?? "{}");
    keys.push(...Object.values(secretKeys as Record<string, string>));
  } catch { /* not set or not JSON: legacy keys only */ }
  return keys.filter((key) => key !== "");
})();

/** True when the token is one of the project's service keys. */
function isServiceKey(token: string): boolean {
  return serviceKeys.some((key) => timingSafeEqual(token, key));
}

async function verifyToken(token: string): Promise<JWTPayload> {
  try {
    const secret = Deno.env.get("JWT_SECRET");
    if (secret) {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: ["HS256"],
      });
      return payload;
    }
    remoteKeys ??= createRemoteJWKSet(
      new URL(`${Deno.env.get("SUPABASE_URL")}/auth/v1/.well-known/jwks.json`),
    );
    const { payload } = await jwtVerify(token, remoteKeys);
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
export async function authenticate(request: Request, sql: Sql): Promise<Caller> {
  const token = bearerToken(request);
  if (!token) throw new HttpError(401, "missing_token", "Missing Authorization bearer token.");
  if (isServiceKey(token)) return { kind: "service" };
  const claims = await verifyToken(token);
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
