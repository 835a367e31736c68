// Third-party packages of the Edge Functions, pinned in one place. Full `npm:` specifiers (no
// import map) so `supabase functions deploy` bundles exactly what runs locally.

export { z } from "npm:zod@4.1.12";
export { default as postgres } from "npm:postgres@3.4.7";
export { createRemoteJWKSet, type JWTPayload, jwtVerify } from "npm:jose@6.2.18";
