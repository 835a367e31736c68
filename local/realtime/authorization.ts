// Private-channel authorization through RLS on realtime.messages, done as Realtime does it:
// in a transaction that is always rolled back, probe rows for the channel topic are
// - read: inserted by the server, then selected as the user (role and JWT claims of the token,
//   `realtime.topic` set to the topic): a row that comes back grants read for its extension;
// - write: inserted as the user, each in a savepoint: an insert that RLS accepts grants write.

import type postgres from "postgres";
import type { JwtClaims } from "../platform/jwt.ts";

export type Extension = "broadcast" | "presence";

/** Outcome per extension; an extension that was not checked is absent. */
export type Grants = Partial<Record<Extension, boolean>>;

export interface AuthorizationContext {
  /** Channel topic without the `realtime:` prefix. */
  topic: string;
  claims: JwtClaims;
  /** The `x-…` headers of the WebSocket upgrade or REST request, for `request.headers`. */
  headers: Record<string, string>;
}

/** Why a probe could not be run; the channel turns it into Realtime's message. */
export class AuthorizationError extends Error {
  constructor(
    readonly kind: "rls_policy_error" | "missing_partition" | "database_unavailable",
    cause: unknown,
  ) {
    super(`${kind}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const INSUFFICIENT_PRIVILEGE = "42501";
/** "no partition of relation found for row". */
const CHECK_VIOLATION = "23514";

class RollbackProbe extends Error {}

function toAuthorizationError(error: unknown): AuthorizationError {
  if (error instanceof AuthorizationError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === CHECK_VIOLATION) return new AuthorizationError("missing_partition", error);
  // postgres.js reports connection failures with codes like ECONNREFUSED / CONNECTION_CLOSED.
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) {
    return new AuthorizationError("database_unavailable", error);
  }
  return new AuthorizationError("rls_policy_error", error);
}

/** Runs `probe` in a transaction that is rolled back whatever happens. */
async function inRolledBackTransaction<T>(
  sql: postgres.Sql,
  probe: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  try {
    await sql.begin(async (tx) => {
      result = await probe(tx);
      throw new RollbackProbe();
    });
  } catch (error) {
    if (!(error instanceof RollbackProbe)) throw toAuthorizationError(error);
  }
  return result as T;
}

async function actAsUser(tx: postgres.TransactionSql, context: AuthorizationContext) {
  const { claims } = context;
  const sub = typeof claims.sub === "string" ? claims.sub : null;
  const role = typeof claims.role === "string" ? claims.role : null;
  await tx`
    select
      set_config('role', ${role}, true),
      set_config('realtime.topic', ${context.topic}, true),
      set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
      set_config('request.jwt.claim.sub', ${sub}, true),
      set_config('request.jwt.claim.role', ${role}, true),
      set_config('request.headers', ${JSON.stringify(context.headers)}, true)
  `;
}

/** Which of `extensions` the user may read (receive) on the topic. */
export function authorizeRead(
  sql: postgres.Sql,
  context: AuthorizationContext,
  extensions: Extension[],
): Promise<Grants> {
  return inRolledBackTransaction(sql, async (tx) => {
    const probeIds = new Map(extensions.map((extension) => [extension, crypto.randomUUID()]));
    for (const [extension, id] of probeIds) {
      await tx`
        insert into realtime.messages (id, topic, extension)
        values (${id}, ${context.topic}, ${extension})
      `;
    }
    await actAsUser(tx, context);
    const visible = await tx<{ id: string }[]>`
      select id from realtime.messages where id = any(${[...probeIds.values()]}::uuid[])
    `;
    const visibleIds = new Set(visible.map((row) => row.id));
    const grants: Grants = {};
    for (const [extension, id] of probeIds) grants[extension] = visibleIds.has(id);
    return grants;
  });
}

/** Which of `extensions` the user may write (send broadcasts, track presence) on the topic. */
export function authorizeWrite(
  sql: postgres.Sql,
  context: AuthorizationContext,
  extensions: Extension[],
): Promise<Grants> {
  return inRolledBackTransaction(sql, async (tx) => {
    await actAsUser(tx, context);
    const grants: Grants = {};
    for (const extension of extensions) {
      try {
        await tx.savepoint((savepoint) =>
          savepoint`
            insert into realtime.messages (topic, extension)
            values (${context.topic}, ${extension})
          `
        );
        grants[extension] = true;
      } catch (error) {
        if ((error as { code?: unknown }).code !== INSUFFICIENT_PRIVILEGE) throw error;
        grants[extension] = false;
      }
    }
    return grants;
  });
}
