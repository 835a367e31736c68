// API keys and access tokens, checked the way Realtime checks them (same failure messages).

import type { PlatformKeys } from "../platform/keys.ts";
import { type JwtClaims, verifyJwt } from "../platform/jwt.ts";

export type TokenCheck =
  | { ok: true; claims: JwtClaims }
  | {
    ok: false;
    /** Realtime's error code, the prefix of a refused join's reason. */
    code: "InvalidJWTToken" | "MalformedJWT" | "JwtSignatureError";
    /** Realtime's message for a channel (join reason suffix, system message). */
    message: string;
    /** Realtime's message for a refused WebSocket upgrade or REST call. */
    httpMessage: string;
  };

const MALFORMED = "The token provided is not a valid JWT";
const MISSING_CLAIMS = "Fields `role` and `exp` are required in JWT";

/** True for the new-style API keys, which are never JWTs. */
export function isApiKey(value: string): boolean {
  return value.startsWith("sb_");
}

/**
 * Turns an API key into the JWT it stands for (publishable → anon, secret → service_role), as the
 * hosted API gateway does; JWTs pass through. Null for an unknown `sb_` key.
 */
export function apiKeyToJwt(value: string, keys: PlatformKeys): string | null {
  if (value === keys.publishableKey) return keys.anonKey;
  if (value === keys.secretKey) return keys.serviceRoleKey;
  return isApiKey(value) ? null : value;
}

function peekExpiry(token: string): number | null {
  try {
    const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    const claims = JSON.parse(atob(payload + "===".slice((payload.length + 3) % 4)));
    return typeof claims.exp === "number" ? claims.exp : null;
  } catch {
    return null;
  }
}

/** Verifies an access token: HS256 signature, expiry, and the `role` and `exp` claims. */
export async function checkAccessToken(token: string, jwtSecret: string): Promise<TokenCheck> {
  const verification = await verifyJwt(token.replace(/\s/g, ""), jwtSecret);
  if (!verification.valid) {
    switch (verification.reason) {
      case "expired": {
        const expiredFor = Math.floor(Date.now() / 1000) - (peekExpiry(token) ?? 0);
        return {
          ok: false,
          code: "InvalidJWTToken",
          message: `Token has expired ${expiredFor} seconds ago`,
          httpMessage: "Token has expired",
        };
      }
      case "bad_signature":
        return {
          ok: false,
          code: "JwtSignatureError",
          message: "Failed to validate JWT signature",
          httpMessage: "Failed to validate JWT signature",
        };
      default:
        return { ok: false, code: "MalformedJWT", message: MALFORMED, httpMessage: MALFORMED };
    }
  }
  const { claims } = verification;
  if (typeof claims.role !== "string" || typeof claims.exp !== "number") {
    return {
      ok: false,
      code: "InvalidJWTToken",
      message: MISSING_CLAIMS,
      httpMessage: MISSING_CLAIMS,
    };
  }
  return { ok: true, claims };
}
