// API keys and the JWT signing secret of a local platform instance.
// Generated once per data directory and kept in `<dataDir>/keys.json`, so a restarted platform
// accepts the tokens it issued before. Hosted Supabase gives the same set of keys per project.

import { signJwt } from "./jwt.ts";

export interface PlatformKeys {
  /** HS256 secret that signs every access token (legacy anon/service keys and user sessions). */
  jwtSecret: string;
  /** Legacy JWT anon key (role `anon`). */
  anonKey: string;
  /** Legacy JWT service key (role `service_role`). */
  serviceRoleKey: string;
  /** New-style publishable key: acts as `anon`. */
  publishableKey: string;
  /** New-style secret key: acts as `service_role`. */
  secretKey: string;
  /** The project's WEBHOOK_SECRET (x-webhook-secret of the webhook functions and pg_net doorbells). */
  webhookSecret: string;
}

const TEN_YEARS_IN_SECONDS = 10 * 365 * 24 * 3600;

function randomToken(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function generateKeys(): Promise<PlatformKeys> {
  const jwtSecret = randomToken(32);
  const now = Math.floor(Date.now() / 1000);
  const apiKeyClaims = (role: string) => ({
    iss: "supabase-local",
    role,
    iat: now,
    exp: now + TEN_YEARS_IN_SECONDS,
  });
  return {
    jwtSecret,
    anonKey: await signJwt(apiKeyClaims("anon"), jwtSecret),
    serviceRoleKey: await signJwt(apiKeyClaims("service_role"), jwtSecret),
    publishableKey: `sb_publishable_${randomToken(16)}`,
    secretKey: `sb_secret_${randomToken(16)}`,
    webhookSecret: randomToken(24),
  };
}

/** Reads the keys of a data directory, creating them on first use. */
export async function loadOrCreateKeys(dataDir: string): Promise<PlatformKeys> {
  const path = `${dataDir}/keys.json`;
  try {
    return JSON.parse(await Deno.readTextFile(path)) as PlatformKeys;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const keys = await generateKeys();
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600 });
  return keys;
}
