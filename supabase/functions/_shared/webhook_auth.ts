// Authentication of webhook callers (the old backend's contract): the shared secret in
// `x-webhook-secret`, compared in constant time, and optionally an HMAC-SHA256 signature of the
// raw body with a timestamp (`x-webhook-timestamp`, `x-webhook-signature: sha256=<hex>`), refused
// when older than five minutes, so a captured request cannot be replayed.

import { HttpError } from "./http.ts";
import type { Env } from "./platform.ts";

export const SIGNATURE_MAX_AGE_SECONDS = 5 * 60;

const encoder = new TextEncoder();

/** Compares two strings in time that depends only on their lengths, never on their content. */
export function timingSafeEqual(actual: string, expected: string): boolean {
  const a = encoder.encode(actual);
  const b = encoder.encode(expected);
  let difference = a.length ^ b.length;
  for (let index = 0; index < b.length; index++) {
    difference |= (a[index % Math.max(a.length, 1)] ?? 0) ^ b[index];
  }
  return difference === 0;
}

function webhookSecret(env: Env): string {
  const secret = env.get("WEBHOOK_SECRET");
  if (!secret) {
    throw new HttpError(503, "not_configured", "WEBHOOK_SECRET is not configured.");
  }
  return secret;
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(signature, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Signature header value for a body, as a sender computes it. */
export async function signWebhookBody(
  secret: string,
  timestamp: number,
  rawBody: string,
): Promise<string> {
  return `sha256=${await hmacSha256Hex(secret, `${timestamp}.${rawBody}`)}`;
}

/**
 * Accepts the request when `x-webhook-secret` matches; when a signature header is present it must
 * also be valid and fresh. Throws 401 otherwise.
 */
export async function verifyWebhookCaller(
  request: Request,
  rawBody: string,
  env: Env,
): Promise<void> {
  const secret = webhookSecret(env);
  const presented = request.headers.get("x-webhook-secret");
  if (presented === null) {
    throw new HttpError(401, "missing_secret", "Missing x-webhook-secret header.");
  }
  if (!timingSafeEqual(presented, secret)) {
    throw new HttpError(401, "invalid_secret", "Invalid x-webhook-secret.");
  }
  const signature = request.headers.get("x-webhook-signature");
  if (signature === null) return;
  const timestamp = Number(request.headers.get("x-webhook-timestamp"));
  if (!Number.isInteger(timestamp)) {
    throw new HttpError(401, "invalid_signature", "x-webhook-timestamp must be Unix seconds.");
  }
  if (Math.abs(Date.now() / 1000 - timestamp) > SIGNATURE_MAX_AGE_SECONDS) {
    throw new HttpError(401, "stale_signature", "Signature timestamp is older than 5 minutes.");
  }
  const expected = await signWebhookBody(secret, timestamp, rawBody);
  if (!timingSafeEqual(signature, expected)) {
    throw new HttpError(401, "invalid_signature", "Signature does not match the body.");
  }
}
