// GoTrue's admin user API (`supabase.auth.admin.*`), which @supabase/lite 0.10 does not have:
// POST/GET /auth/v1/admin/users, GET/PUT/DELETE /auth/v1/admin/users/<id>, for service_role
// callers only. Writes auth.users and auth.identities the way a sign-up does, as the login GoTrue
// uses (supabase_auth_admin), so product triggers on auth.users run exactly as on hosted Supabase.

import bcrypt from "bcryptjs";
import type postgres from "postgres";
import { verifyJwt } from "../../platform/jwt.ts";

type Json = Record<string, unknown>;

const ADMIN_ROLES = new Set(["service_role", "supabase_admin"]);
const USERS_PATH = /^\/auth\/v1\/admin\/users(?:\/([^/]+))?\/?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A GoTrue error, answered as `{code, error_code, msg}` like every other /auth/v1 error. */
class AuthError extends Error {
  constructor(readonly status: number, readonly errorCode: string, message: string) {
    super(message);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

function errorResponse(error: AuthError): Response {
  return json(
    error.status,
    { code: error.status, error_code: error.errorCode, msg: error.message },
    { "x-sb-error-code": error.errorCode },
  );
}

async function requireAdmin(request: Request, jwtSecret: string): Promise<void> {
  const token = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (!token) {
    throw new AuthError(401, "no_authorization", "This endpoint requires a Bearer token");
  }
  const verification = await verifyJwt(token, jwtSecret);
  if (!verification.valid) {
    const detail = verification.reason === "expired" ? "token is expired" : verification.reason;
    throw new AuthError(
      403,
      "bad_jwt",
      `invalid JWT: unable to parse or verify signature, ${detail}`,
    );
  }
  if (!ADMIN_ROLES.has(String(verification.claims.role))) {
    throw new AuthError(403, "not_admin", "User not allowed");
  }
}

async function readBody(request: Request): Promise<Json> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    const body = JSON.parse(text);
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return body;
  } catch {
    // Answered below.
  }
  throw new AuthError(400, "bad_json", "Could not parse request body as JSON");
}

function optionalString(body: Json, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new AuthError(400, "validation_failed", `${field} must be a string`);
  }
  return value;
}

function optionalObject(body: Json, field: string): Json | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new AuthError(400, "validation_failed", `${field} must be an object`);
  }
  return value as Json;
}

function normalizedEmail(body: Json): string | undefined {
  const email = optionalString(body, "email")?.trim().toLowerCase();
  if (email !== undefined && !EMAIL.test(email)) {
    throw new AuthError(
      400,
      "validation_failed",
      "Unable to validate email address: invalid format",
    );
  }
  return email;
}

async function passwordHash(body: Json, minimumLength: number): Promise<string | undefined> {
  const password = optionalString(body, "password");
  if (password === undefined) return undefined;
  if (password.length < minimumLength) {
    throw new AuthError(
      422,
      "weak_password",
      `Password should be at least ${minimumLength} characters.`,
    );
  }
  return await bcrypt.hash(password, 10);
}

/** `ban_duration` as GoTrue takes it: "none" lifts a ban, a Go duration such as "24h" sets one. */
function bannedUntil(body: Json): Date | null | undefined {
  const duration = optionalString(body, "ban_duration");
  if (duration === undefined) return undefined;
  if (duration === "none") return null;
  const unitMilliseconds: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== duration) {
    throw new AuthError(400, "validation_failed", `invalid format for ban duration: ${duration}`);
  }
  const milliseconds = parts.reduce((sum, [, amount, unit]) => {
    return sum + Number(amount) * unitMilliseconds[unit];
  }, 0);
  return new Date(Date.now() + milliseconds);
}

/** GoTrue's metadata update: keys are merged in, a null value removes its key. */
function mergedMetadata(current: Json, patch: Json): Json {
  const merged = { ...current, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === null) delete merged[key];
  return merged;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === "23505";
}

export interface AdminUsersOptions {
  jwtSecret: string;
  /** `[auth] minimum_password_length` of config.toml, which sign-up enforces too. */
  minimumPasswordLength: number;
}

export function createAdminUsersApi(sql: postgres.Sql, options: AdminUsersOptions) {
  const { jwtSecret, minimumPasswordLength } = options;
  /** GoTrue's user objects for `ids`, oldest first. */
  async function usersJson(ids: string[], db: postgres.Sql | postgres.TransactionSql = sql) {
    const rows = await db`
      select jsonb_build_object(
        'id', u.id, 'aud', u.aud, 'role', u.role, 'email', coalesce(u.email, ''),
        'email_confirmed_at', u.email_confirmed_at, 'phone', coalesce(u.phone, ''),
        'phone_confirmed_at', u.phone_confirmed_at, 'confirmed_at', u.confirmed_at,
        'last_sign_in_at', u.last_sign_in_at,
        'app_metadata', coalesce(u.raw_app_meta_data, '{}'),
        'user_metadata', coalesce(u.raw_user_meta_data, '{}'),
        'identities', coalesce((
          select jsonb_agg(jsonb_build_object(
            'identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id,
            'identity_data', i.identity_data, 'provider', i.provider, 'email', i.email,
            'last_sign_in_at', i.last_sign_in_at, 'created_at', i.created_at,
            'updated_at', i.updated_at
          ) order by i.created_at)
          from auth.identities i where i.user_id = u.id
        ), '[]'),
        'created_at', u.created_at, 'updated_at', u.updated_at, 'banned_until', u.banned_until,
        'is_anonymous', u.is_anonymous
      ) as user
      from auth.users u where u.id = any(${ids}::uuid[])
      order by u.created_at, u.id`;
    return rows.map((row) => row.user as Json);
  }

  async function userJson(id: string, db: postgres.Sql | postgres.TransactionSql = sql) {
    const [user] = await usersJson([id], db);
    if (!user) throw new AuthError(404, "user_not_found", "User not found");
    return user;
  }

  async function createUser(body: Json): Promise<Response> {
    const email = normalizedEmail(body);
    const phone = optionalString(body, "phone");
    if (email === undefined && phone === undefined) {
      throw new AuthError(
        400,
        "validation_failed",
        "Unable to validate email address: invalid format",
      );
    }
    const encryptedPassword = await passwordHash(body, minimumPasswordLength);
    const appMetadata = {
      provider: email !== undefined ? "email" : "phone",
      providers: [email !== undefined ? "email" : "phone"],
      ...optionalObject(body, "app_metadata"),
    };
    const userMetadata = optionalObject(body, "user_metadata") ?? {};
    const emailConfirmed = body.email_confirm === true;
    const phoneConfirmed = body.phone_confirm === true;
    const id = crypto.randomUUID();
    try {
      return json(
        200,
        await sql.begin(async (tx) => {
          await tx`
            insert into auth.users (
              id, aud, role, email, phone, encrypted_password, email_confirmed_at,
              phone_confirmed_at, raw_app_meta_data, raw_user_meta_data, banned_until,
              created_at, updated_at
            ) values (
              ${id}, 'authenticated', ${optionalString(body, "role") ?? "authenticated"},
              ${email ?? null}, ${phone ?? null}, ${encryptedPassword ?? ""},
              ${emailConfirmed ? new Date() : null}, ${phoneConfirmed ? new Date() : null},
              ${tx.json(appMetadata)}, ${tx.json(userMetadata as postgres.JSONValue)},
              ${bannedUntil(body) ?? null}, now(), now()
            )`;
          const identityData = {
            sub: id,
            ...(email !== undefined ? { email } : { phone }),
            email_verified: emailConfirmed,
            phone_verified: phoneConfirmed,
          };
          await tx`
            insert into auth.identities (
              provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at
            ) values (
              ${id}, ${id}, ${tx.json(identityData)}, ${appMetadata.provider}, now(), now(), now()
            )`;
          return await userJson(id, tx);
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AuthError(
          422,
          email !== undefined ? "email_exists" : "phone_exists",
          "A user with this email address has already been registered",
        );
      }
      throw error;
    }
  }

  async function updateUser(id: string, body: Json): Promise<Response> {
    const email = normalizedEmail(body);
    const encryptedPassword = await passwordHash(body, minimumPasswordLength);
    const banUntil = bannedUntil(body);
    const appMetadataPatch = optionalObject(body, "app_metadata");
    const userMetadataPatch = optionalObject(body, "user_metadata");
    try {
      return json(
        200,
        await sql.begin(async (tx) => {
          const [current] = await tx`
            select raw_app_meta_data, raw_user_meta_data from auth.users where id = ${id} for update`;
          if (!current) throw new AuthError(404, "user_not_found", "User not found");
          const changes: Record<string, postgres.ParameterOrJSON<never>> = {
            updated_at: new Date(),
          };
          if (email !== undefined) changes.email = email;
          if (body.phone !== undefined) changes.phone = optionalString(body, "phone") ?? null;
          if (encryptedPassword !== undefined) changes.encrypted_password = encryptedPassword;
          if (body.role !== undefined) changes.role = optionalString(body, "role") ?? null;
          if (banUntil !== undefined) changes.banned_until = banUntil;
          if (appMetadataPatch) {
            changes.raw_app_meta_data = tx.json(
              mergedMetadata(
                current.raw_app_meta_data ?? {},
                appMetadataPatch,
              ) as postgres.JSONValue,
            );
          }
          if (userMetadataPatch) {
            changes.raw_user_meta_data = tx.json(
              mergedMetadata(
                current.raw_user_meta_data ?? {},
                userMetadataPatch,
              ) as postgres.JSONValue,
            );
          }
          await tx`update auth.users set ${tx(changes)} where id = ${id}`;
          if (body.email_confirm === true) {
            await tx`
              update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now())
              where id = ${id}`;
          }
          if (body.phone_confirm === true) {
            await tx`
              update auth.users set phone_confirmed_at = coalesce(phone_confirmed_at, now())
              where id = ${id}`;
          }
          return await userJson(id, tx);
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AuthError(
          422,
          "email_exists",
          "A user with this email address has already been registered",
        );
      }
      throw error;
    }
  }

  async function listUsers(url: URL): Promise<Response> {
    const page = Math.max(1, Number(url.searchParams.get("page")) || 1);
    const perPage = Math.min(1000, Math.max(1, Number(url.searchParams.get("per_page")) || 50));
    const [{ total }] = await sql`select count(*)::int as total from auth.users`;
    const pageIds = await sql`
      select id from auth.users order by created_at, id
      limit ${perPage} offset ${(page - 1) * perPage}`;
    const users = await usersJson(pageIds.map((row) => row.id));
    return json(200, { users, aud: "authenticated" }, { "x-total-count": String(total) });
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const match = url.pathname.match(USERS_PATH);
    if (!match) throw new AuthError(404, "not_found", "Not Found");
    await requireAdmin(request, jwtSecret);
    const id = match[1];
    if (id === undefined) {
      if (request.method === "GET") return await listUsers(url);
      if (request.method === "POST") return await createUser(await readBody(request));
      throw new AuthError(405, "method_not_allowed", "Method Not Allowed");
    }
    if (!UUID.test(id)) throw new AuthError(404, "user_not_found", "User not found");
    switch (request.method) {
      case "GET":
        return json(200, await userJson(id));
      case "PUT":
        return await updateUser(id, await readBody(request));
      case "DELETE": {
        // GoTrue's soft delete (`should_soft_delete`) is not offered: the user is removed.
        const deleted = await sql`delete from auth.users where id = ${id} returning id`;
        if (deleted.length === 0) throw new AuthError(404, "user_not_found", "User not found");
        return json(200, {});
      }
      default:
        throw new AuthError(405, "method_not_allowed", "Method Not Allowed");
    }
  }

  return {
    async handle(request: Request): Promise<Response> {
      try {
        return await route(request);
      } catch (error) {
        if (error instanceof AuthError) return errorResponse(error);
        console.error("auth admin:", error);
        return errorResponse(
          new AuthError(500, "unexpected_failure", "Database error processing the user"),
        );
      }
    },
  };
}
