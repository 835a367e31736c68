// Requests hosted PostgREST refuses, refused here too so that @supabase/lite never sees them: a
// bearer token that is not a valid JWT of this project (lite would serve it as anon), JSON nested
// deeper than any API needs (lite's recursive handling overflows the stack on it and answers 500),
// and an RPC boolean argument that is not a boolean (lite reads any string as false, where
// Postgres refuses it with 22P02 and PostgREST answers 400).

import type postgres from "postgres";
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

/** Spellings Postgres's boolean input accepts. */
const BOOLEAN_TEXT = /^\s*(t|true|y|yes|on|1|f|false|n|no|off|0)\s*$/i;

/** Names of the boolean parameters of public RPCs, cached until the schema reloads. */
export class BooleanParameters {
  #cache = new Map<string, Promise<Set<string>>>();

  constructor(private readonly sql: postgres.Sql) {}

  of(functionName: string): Promise<Set<string>> {
    let names = this.#cache.get(functionName);
    if (!names) {
      names = this.sql<{ name: string }[]>`
        select distinct argument.name
        from pg_proc p
        cross join lateral unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[])
          as argument(name, type)
        where p.pronamespace = 'public'::regnamespace
          and p.proname = ${functionName}
          and argument.type = 'boolean'::regtype`.then((rows) =>
        new Set(rows.map((row) => row.name))
      );
      this.#cache.set(functionName, names);
    }
    return names;
  }

  clear(): void {
    this.#cache.clear();
  }
}

async function refuseNonBooleans(
  request: Request,
  body: string,
  booleans: BooleanParameters,
): Promise<Response | null> {
  const rpc = new URL(request.url).pathname.match(/^\/rest\/v1\/rpc\/([^/]+)$/)?.[1];
  if (!rpc || request.method !== "POST") return null;
  let args: unknown;
  try {
    args = JSON.parse(body);
  } catch {
    return null; // lite answers malformed JSON itself
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) return null;
  for (const name of await booleans.of(decodeURIComponent(rpc))) {
    const value = (args as Record<string, unknown>)[name];
    if (value === undefined || value === null || typeof value === "boolean") continue;
    if (typeof value === "string" && BOOLEAN_TEXT.test(value)) continue;
    return postgrestError(400, "22P02", `invalid input syntax for type boolean: "${value}"`);
  }
  return null;
}

/** A refusal for requests PostgREST would refuse up front, or null to serve the request. */
export async function refuseUpFront(
  request: Request,
  jwtSecret: string,
  booleans: BooleanParameters,
): Promise<Response | null> {
  const token = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (token) {
    const verification = await verifyJwt(token, jwtSecret);
    if (!verification.valid) {
      return verification.reason === "expired"
        ? postgrestError(401, "PGRST303", "JWT expired")
        : postgrestError(401, "PGRST301", "No suitable key or wrong key type");
    }
  }
  if (!request.body) return null;
  const body = await request.clone().text();
  if (jsonDepth(body) > MAX_JSON_DEPTH) {
    return postgrestError(400, "PGRST102", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return await refuseNonBooleans(request, body, booleans);
}
