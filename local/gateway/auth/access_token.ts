// Gives the access tokens @supabase/lite issues the full claim set GoTrue puts in them.
// lite 0.10 signs only {sub, aud, role, email, session_id, iat, exp}; RLS policies and Edge
// Functions on hosted Supabase may read app_metadata, user_metadata, aal, amr, is_anonymous, iss.

import { type JwtClaims, signJwt, verifyJwt } from "../../platform/jwt.ts";

interface SessionUser {
  phone?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  is_anonymous?: boolean;
}

/** How the session was obtained, as GoTrue names it in the `amr` claim. */
function authenticationMethod(request: Request): string {
  const url = new URL(request.url);
  if (url.pathname.endsWith("/verify")) return "otp";
  // Refreshing keeps the method of the original sign-in, which for this platform is a password.
  return "password";
}

export function gotrueClaims(
  liteClaims: JwtClaims,
  user: SessionUser,
  issuer: string,
  method: string,
): JwtClaims {
  return {
    aud: liteClaims.aud,
    exp: liteClaims.exp,
    iat: liteClaims.iat,
    iss: issuer,
    sub: liteClaims.sub,
    email: liteClaims.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.app_metadata ?? {},
    user_metadata: user.user_metadata ?? {},
    role: liteClaims.role,
    aal: "aal1",
    amr: [{ method, timestamp: liteClaims.iat }],
    session_id: liteClaims.session_id,
    is_anonymous: user.is_anonymous ?? false,
  };
}

/**
 * Re-signs the access token of a session response (sign-up, password grant, refresh, verify)
 * with GoTrue's claims. Any other response passes through untouched.
 */
export async function withGotrueAccessToken(
  request: Request,
  response: Response,
  jwtSecret: string,
  issuer: string,
): Promise<Response> {
  if (!response.ok || !response.headers.get("content-type")?.includes("application/json")) {
    return response;
  }
  const body = await response.clone().json();
  if (typeof body?.access_token !== "string" || typeof body.user !== "object") return response;
  const verification = await verifyJwt(body.access_token, jwtSecret);
  if (!verification.valid) return response;
  const claims = gotrueClaims(
    verification.claims,
    body.user,
    issuer,
    authenticationMethod(request),
  );
  body.access_token = await signJwt(claims, jwtSecret);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(body), { status: response.status, headers });
}
