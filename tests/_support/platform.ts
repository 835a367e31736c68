// What every integration test needs from the running platform: its URL and keys, supabase-js
// clients, users of each role, and a direct database connection.
// `npm test` passes the test platform's settings in the environment; run by hand, the tests use
// the dev platform of `npm start` (its keys are read from its state directory, honouring
// LOCAL_PLATFORM_PORT_OFFSET).

import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { environments } from "../../local/platform/environments.ts";

export interface PlatformSettings {
  url: string;
  databaseUrl: string;
  publishableKey: string;
  secretKey: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  webhookSecret: string;
}

function readSettings(): PlatformSettings {
  const fromEnv = Deno.env.get("SUPABASE_URL");
  if (fromEnv) {
    const required = (name: string) => {
      const value = Deno.env.get(name);
      if (!value) throw new Error(`${name} is not set`);
      return value;
    };
    return {
      url: fromEnv,
      databaseUrl: required("SUPABASE_DB_URL"),
      publishableKey: required("SUPABASE_PUBLISHABLE_KEY"),
      secretKey: required("SUPABASE_SECRET_KEY"),
      anonKey: required("SUPABASE_ANON_KEY"),
      serviceRoleKey: required("SUPABASE_SERVICE_ROLE_KEY"),
      jwtSecret: required("SUPABASE_JWT_SECRET"),
      webhookSecret: required("WEBHOOK_SECRET"),
    };
  }
  const dev = environments.dev;
  const keys = JSON.parse(Deno.readTextFileSync(`${dev.stateDir}/keys.json`));
  return {
    url: `http://127.0.0.1:${dev.apiPort}`,
    databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${dev.databasePort}/postgres`,
    ...keys,
  };
}

export const platform: PlatformSettings = readSettings();

const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
};

/** A client with the publishable key only (role anon). */
export function anonClient(): SupabaseClient {
  return createClient(platform.url, platform.publishableKey, clientOptions);
}

/** A client with the secret key (role service_role, bypasses RLS). */
export function serviceClient(): SupabaseClient {
  return createClient(platform.url, platform.secretKey, clientOptions);
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  /** Signed in as this user. */
  client: SupabaseClient;
}

let userCounter = 0;

/**
 * Signs a new user up through /auth/v1 (as the frontend does), then in (sign-up returns no session:
 * e-mail confirmation is on; the local stack confirms at once), and returns a signed-in client.
 */
export async function createUser(
  role: "candidate" | "company",
  metadata: Record<string, unknown> = {},
): Promise<TestUser> {
  const email = `${role}-${Date.now()}-${++userCounter}-${
    crypto.randomUUID().slice(0, 8)
  }@test.emploi.plus`;
  const password = "correct-horse-battery-42";
  const client = anonClient();
  const signUp = await client.auth.signUp({
    email,
    password,
    options: { data: { role, full_name: `Test ${role} ${userCounter}`, ...metadata } },
  });
  if (signUp.error) throw new Error(`sign-up failed: ${signUp.error.message}`);
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error || !data.session || !data.user) {
    throw new Error(`sign-in after sign-up failed: ${error?.message ?? "no session"}`);
  }
  return { id: data.user.id, email, password, accessToken: data.session.access_token, client };
}

/** Makes an existing user an admin (only the service role can). */
export async function promoteToAdmin(user: TestUser): Promise<void> {
  await sql`update public.profiles set role = 'admin' where id = ${user.id}`;
}

/**
 * Direct connection as `postgres`, for arranging data and checking what was written: one pool per
 * test file (each file runs in its own worker), shared by its tests and closed after the last
 * one, so that no test needs to turn the resource and op sanitizers off for it.
 */
export const sql = postgres(platform.databaseUrl, { max: 4, onnotice: () => {} });
// A bounded end: after a server restart (the fault suite kills Postgres) a connection may never
// answer, and an unbounded end would leave the file waiting on nothing.
Deno.test.afterAll(() => sql.end({ timeout: 5 }));

/** Tables whose rows the moderation worker approves before others see them. */
export type ModeratedTable = "posts" | "post_comments" | "jobs" | "companies" | "profiles";

/**
 * Waits until the moderation worker has judged a row and returns its status; fails unless it is
 * `expected` (approved by default).
 */
export async function moderated(
  table: ModeratedTable,
  id: string,
  expected = "approved",
): Promise<string> {
  const status = await eventually(async () => {
    const [row] = await sql`select moderation_status from ${
      sql("public." + table)
    } where id = ${id}`;
    return row && row.moderation_status !== "pending" ? String(row.moderation_status) : undefined;
  }, { what: `moderation of ${table} ${id}` });
  if (status !== expected) throw new Error(`${table} ${id} is ${status}, not ${expected}`);
  return status;
}

/** Polls `check` until it returns a non-undefined value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 50, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
