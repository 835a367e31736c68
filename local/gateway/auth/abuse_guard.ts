// What hosted GoTrue does against account abuse and @supabase/lite 0.10 does not, in front of
// lite's /auth/v1 (see ../REST_AUTH.md):
//
// - password requirements of supabase/config.toml ([auth] minimum_password_length and
//   password_requirements) on sign-up and password change: 422 weak_password;
// - brute force: after `account.failures` failed password sign-ins for one e-mail, or
//   `address.failures` from one client address, within their window, 429 with Retry-After,
//   for registered and unknown e-mails alike;
// - refresh-token replay: a rotated token used again after refresh_token_reuse_interval revokes
//   the whole session (GoTrue's reuse detection): 400 refresh_token_already_used;
// - no e-mail enumeration: sign-up answers a registered e-mail exactly as a new one (a user
//   awaiting confirmation, no session; locally the new account is confirmed at once, there is no
//   mail to click), and /otp and /recover answer {} for unknown e-mails as for known ones;
// - sign-up metadata (the user_metadata claim of every token) at most 4 KB: 400.

import bcrypt from "bcryptjs";
import type postgres from "postgres";

type Json = Record<string, unknown>;

export interface AbuseGuardSettings {
  minimumPasswordLength: number;
  /** GoTrue's values: "", letters_digits, lower_upper_letters_digits, …_symbols. */
  passwordRequirements: string;
  refreshTokenReuseIntervalSeconds: number;
  account: { failures: number; windowSeconds: number };
  address: { failures: number; windowSeconds: number };
  maxMetadataBytes: number;
}

export const DEFAULT_LIMITS = {
  account: { failures: 5, windowSeconds: 15 * 60 },
  address: { failures: 20, windowSeconds: 15 * 60 },
  maxMetadataBytes: 4096,
} as const;

function authError(
  status: number,
  errorCode: string,
  message: string,
  extra: Json = {},
  headers: Record<string, string> = {},
): Response {
  return Response.json({ code: status, error_code: errorCode, msg: message, ...extra }, {
    status,
    headers: { "x-sb-error-code": errorCode, ...headers },
  });
}

/** Why a password is too weak, in GoTrue's reason words (empty: it is fine). */
export function weakPasswordReasons(
  password: string,
  settings: Pick<AbuseGuardSettings, "minimumPasswordLength" | "passwordRequirements">,
): string[] {
  const reasons: string[] = [];
  if (password.trim().length < settings.minimumPasswordLength) reasons.push("length");
  const needs: RegExp[] = {
    "": [],
    letters_digits: [/\p{L}/u, /\d/],
    lower_upper_letters_digits: [/\p{Ll}/u, /\p{Lu}/u, /\d/],
    lower_upper_letters_digits_symbols: [/\p{Ll}/u, /\p{Lu}/u, /\d/, /[^\p{L}\d\s]/u],
  }[settings.passwordRequirements] ?? [];
  if (needs.some((pattern) => !pattern.test(password))) reasons.push("characters");
  return reasons;
}

/** Failures per key within a sliding window. */
class FailureWindow {
  readonly #failures = new Map<string, number[]>();
  constructor(readonly limit: number, readonly windowSeconds: number) {}

  #recent(key: string, now: number): number[] {
    const since = now - this.windowSeconds * 1000;
    const recent = (this.#failures.get(key) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, recent);
    return recent;
  }

  /** Seconds until the key may try again, or 0 when it may now. */
  retryAfter(key: string, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < this.limit) return 0;
    const oldestCounted = recent[recent.length - this.limit];
    return Math.max(1, Math.ceil((oldestCounted + this.windowSeconds * 1000 - now) / 1000));
  }

  record(key: string, now: number): void {
    this.#failures.set(key, [...this.#recent(key, now), now]);
  }

  /** Takes back one failure recorded at `at` (an attempt that turned out not to fail). */
  forget(key: string, at: number): void {
    const failures = this.#failures.get(key) ?? [];
    const index = failures.indexOf(at);
    if (index >= 0) failures.splice(index, 1);
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }
}

async function jsonBody(request: Request): Promise<Json | null> {
  try {
    const body = await request.clone().json();
    return typeof body === "object" && body !== null && !Array.isArray(body) ? body : null;
  } catch {
    return null;
  }
}

const emailOf = (body: Json | null) =>
  typeof body?.email === "string" ? body.email.trim().toLowerCase() : null;

/** A UUID version 7 (time-ordered), the kind of id the auth service gives its users. */
export function uuidV7(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let index = 0; index < 6; index++) {
    bytes[index] = Math.floor(now / 2 ** (8 * (5 - index))) & 0xff;
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** The answer to a sign-up with confirmations: the same shape whether the e-mail was known. */
function awaitingConfirmation(id: string, email: string): Json {
  const now = new Date().toISOString();
  return {
    id,
    aud: "authenticated",
    role: "",
    email,
    phone: "",
    confirmation_sent_at: now,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

export function createAbuseGuard(sql: postgres.Sql, settings: AbuseGuardSettings) {
  const accounts = new FailureWindow(settings.account.failures, settings.account.windowSeconds);
  const addresses = new FailureWindow(settings.address.failures, settings.address.windowSeconds);

  const registered = async (email: string) =>
    (await sql`select 1 from auth.users where lower(email) = ${email} limit 1`).length > 0;

  async function signUp(request: Request, forward: () => Promise<Response>): Promise<Response> {
    const body = await jsonBody(request);
    const email = emailOf(body);
    if (!body || !email) return await forward();
    const metadata = (body.data ?? (body.options as Json | undefined)?.data) as unknown;
    if (
      metadata !== undefined &&
      new TextEncoder().encode(JSON.stringify(metadata)).byteLength > settings.maxMetadataBytes
    ) {
      return authError(
        400,
        "validation_failed",
        `user metadata must be at most ${settings.maxMetadataBytes} bytes`,
      );
    }
    if (typeof body.password === "string") {
      const reasons = weakPasswordReasons(body.password, settings);
      if (reasons.length > 0) return weakPassword(reasons);
    }
    if (await registered(email)) {
      // As long as a real sign-up takes (it hashes the password), so timing tells nothing either.
      await bcrypt.hash(String(body.password ?? ""), 10);
      return Response.json(awaitingConfirmation(uuidV7(), email));
    }
    const response = await forward();
    if (!response.ok) return response;
    const created = await response.json() as Json;
    const user = (created.user ?? created) as Json;
    return Response.json(awaitingConfirmation(String(user.id), email));
  }

  function weakPassword(reasons: string[]): Response {
    return authError(
      422,
      "weak_password",
      `Password should be at least ${settings.minimumPasswordLength} characters` +
        (settings.passwordRequirements
          ? ` and contain ${settings.passwordRequirements.replaceAll("_", ", ")}`
          : ""),
      { weak_password: { reasons } },
    );
  }

  async function passwordSignIn(
    request: Request,
    address: string,
    forward: () => Promise<Response>,
  ): Promise<Response> {
    const email = emailOf(await jsonBody(request)) ?? "";
    const now = Date.now();
    const wait = Math.max(accounts.retryAfter(email, now), addresses.retryAfter(address, now));
    if (wait > 0) {
      return authError(
        429,
        "over_request_rate_limit",
        "Too many failed sign-in attempts: retry later",
        {},
        { "retry-after": String(wait) },
      );
    }
    // Counted as a failure before the password is checked, so that attempts racing in parallel
    // cannot all pass the check above; taken back when the attempt did not fail.
    accounts.record(email, now);
    addresses.record(address, now);
    const response = await forward();
    if (response.ok) {
      accounts.clear(email);
      addresses.forget(address, now);
    } else if (response.status !== 400) {
      accounts.forget(email, now);
      addresses.forget(address, now);
    }
    return response;
  }

  async function refresh(request: Request, forward: () => Promise<Response>): Promise<Response> {
    const token = (await jsonBody(request))?.refresh_token;
    if (typeof token !== "string") return await forward();
    const [row] = await sql<{ session_id: string | null; replayed: boolean }[]>`
      select session_id, revoked and updated_at < now() - make_interval(secs => ${settings.refreshTokenReuseIntervalSeconds}) as replayed
      from auth.refresh_tokens where token = ${token}`;
    if (row?.replayed) {
      // A stolen token is being replayed, or the rightful client lost its new one: either way the
      // session is over, as GoTrue decides.
      if (row.session_id) await sql`delete from auth.sessions where id = ${row.session_id}`;
      return authError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
    }
    return await forward();
  }

  async function noEnumeration(
    request: Request,
    forward: () => Promise<Response>,
  ): Promise<Response> {
    const email = emailOf(await jsonBody(request));
    if (email && !(await registered(email))) return Response.json({});
    const response = await forward();
    return response.ok ? Response.json({}) : response;
  }

  async function passwordChange(
    request: Request,
    forward: () => Promise<Response>,
  ): Promise<Response> {
    const password = (await jsonBody(request))?.password;
    if (typeof password === "string") {
      const reasons = weakPasswordReasons(password, settings);
      if (reasons.length > 0) return weakPassword(reasons);
    }
    return await forward();
  }

  return {
    /** Answers the request itself, or hands it to `forward` (lite) and adjusts the answer. */
    async handle(
      request: Request,
      address: string,
      forward: () => Promise<Response>,
    ): Promise<Response> {
      const url = new URL(request.url);
      const path = url.pathname.replace(/\/+$/, "");
      const grant = url.searchParams.get("grant_type");
      if (request.method === "POST" && path === "/auth/v1/signup") {
        return await signUp(request, forward);
      }
      if (request.method === "POST" && path === "/auth/v1/token" && grant === "password") {
        return await passwordSignIn(request, address, forward);
      }
      if (request.method === "POST" && path === "/auth/v1/token" && grant === "refresh_token") {
        return await refresh(request, forward);
      }
      if (request.method === "POST" && (path === "/auth/v1/otp" || path === "/auth/v1/recover")) {
        return await noEnumeration(request, forward);
      }
      if (request.method === "PUT" && path === "/auth/v1/user") {
        return await passwordChange(request, forward);
      }
      return await forward();
    },
  };
}
