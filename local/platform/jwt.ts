// Minimal HS256 JWT signing and verification with Web Crypto, for the local platform services.
// (Product code verifies tokens in supabase/functions/_shared; this module is never deployed.)

export type JwtClaims = Record<string, unknown> & { exp?: number; role?: string; sub?: string };

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") +
    "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

export async function signJwt(claims: JwtClaims, secret: string): Promise<string> {
  const header = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const payload = base64url(encoder.encode(JSON.stringify(claims)));
  const signingInput = `${header}.${payload}`;
  const signature = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    encoder.encode(signingInput),
  );
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

export type JwtVerification =
  | { valid: true; claims: JwtClaims }
  | { valid: false; reason: "malformed" | "bad_signature" | "expired" };

/** Verifies signature (constant time, by Web Crypto) and expiry. */
export async function verifyJwt(token: string, secret: string): Promise<JwtVerification> {
  const parts = token.split(".");
  if (parts.length !== 3) return { valid: false, reason: "malformed" };
  let claims: JwtClaims;
  let header: { alg?: string };
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64url(parts[0])));
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(parts[1])));
  } catch {
    return { valid: false, reason: "malformed" };
  }
  if (header.alg !== "HS256" || typeof claims !== "object" || claims === null) {
    return { valid: false, reason: "malformed" };
  }
  const signatureOk = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    fromBase64url(parts[2]),
    encoder.encode(`${parts[0]}.${parts[1]}`),
  );
  if (!signatureOk) return { valid: false, reason: "bad_signature" };
  if (typeof claims.exp === "number" && claims.exp <= Date.now() / 1000) {
    return { valid: false, reason: "expired" };
  }
  return { valid: true, claims };
}
