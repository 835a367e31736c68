// Access tokens for benchmark users, signed with the platform's JWT secret as the Auth server
// signs them (HS256, role authenticated), so benchmarks need not sign thousands of users in.

import { platform } from "../../tests/_support/platform.ts";
import { signJwt } from "../../local/platform/jwt.ts";

export function accessToken(userId: string, lifetimeSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    iat: now,
    exp: now + lifetimeSeconds,
    session_id: crypto.randomUUID(),
  }, platform.jwtSecret);
}
