// Requests hosted PostgREST refuses before they reach the database, refused here too so that
// @supabase/lite never sees them: a bearer token that is not a valid JWT of this project (lite
// would serve it as anon), and JSON nested deeper than any API needs (lite's recursive handling
// overflows the stack on it and answers 500).

import { verifyJwt } from "../../platform/jwt.ts";

const MAX_JSON_DEPTH = 100;

function postgrestError(status: number, code: string, message: string): Response {
  return Response.json({ code, details: null, hint: null, message }, { status });
}

/** Deepest nesting of arrays/objects in JSON text, counted without parsing or recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") deepest = Math.max(deepest, ++depth);
    else if (char === "]" || char === "}") depth--;
  }
  return deepest;
}

/** A refusal for requests PostgREST would refuse up front, or null to serve the request. */
export async function refuseUpFront(request: Request, jwtSecret: string): Promise<Response | null> {
  const token = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (token) {
    const verification = await verifyJwt(token, jwtSecret);
    if (!verification.valid) {
      return verification.reason === "expired"
        ? postgrestError(401, "PGRST303", "JWT expired")
        : postgrestError(401, "PGRST301", "No suitable key or wrong key type");
    }
  }
  if (request.body && jsonDepth(await request.clone().text()) > MAX_JSON_DEPTH) {
    return postgrestError(400, "PGRST102", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return null;
}
