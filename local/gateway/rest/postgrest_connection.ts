// The Postgres connection @supabase/lite serves /rest/v1 through, adjusted where lite 0.10 differs
// from what PostgREST does on hosted Supabase (see ../REST_AUTH.md).

import "postgres"; // lite's peer dependency: Deno resolves it from this module graph.
import { PostgresConnection } from "@supabase/lite/postgres";
import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type QueryId,
  type RawNode,
  type ValueNode,
} from "kysely";

/**
 * HTTP status PostgREST answers for a Postgres error code
 * (https://docs.postgrest.org/en/stable/references/errors.html#http-status-codes).
 */
export function httpStatusForSqlState(code: string): number {
  const exact: Record<string, number> = {
    "23503": 409,
    "23505": 409,
    "25006": 405,
    "42883": 404,
    "42P01": 404,
    "42P17": 500,
    "53400": 500,
    "P0001": 400,
  };
  if (code in exact) return exact[code];
  const byClass: Record<string, number> = {
    "08": 503,
    "09": 500,
    "0L": 403,
    "0P": 403,
    "25": 500,
    "28": 403,
    "2D": 500,
    "38": 500,
    "39": 500,
    "3B": 500,
    "40": 500,
    "53": 503,
    "54": 500,
    "55": 500,
    "57": 500,
    "58": 500,
    "F0": 500,
    "HV": 500,
    "P0": 500,
    "XX": 500,
  };
  return byClass[code.slice(0, 2)] ?? 400;
}

interface PostgresError {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

function isPostgresError(error: unknown): error is PostgresError {
  return typeof error === "object" && error !== null &&
    typeof (error as PostgresError).code === "string" &&
    typeof (error as PostgresError).message === "string";
}

// Codes lite already answers like PostgREST, with knowledge of the request this class lacks:
// 42501 is 401 for anon and 403 otherwise, 42P01/42883 get PostgREST's schema-cache messages, and
// PGRST/PTxxx are a function's own `raise sqlstate 'PGRST'` / `'PT404'` responses.
const LEFT_TO_LITE = new Set(["42501", "42P01", "42883", "PGRST"]);

/** Postgres renders timestamps in JSON as ISO 8601 (`T`, `+00:00`); its text form has neither. */
export function isoTimestamp(text: string): string {
  return text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
}

/** JSON text lite has already encoded, to be sent to Postgres as it is. */
class EncodedJson {
  constructor(readonly text: string) {}
}

/** json/jsonb parameters go out as JSON text; what lite already encoded goes out unchanged. */
function serializeJson(value: unknown): string {
  return value instanceof EncodedJson ? value.text : JSON.stringify(value);
}

function isJsonText(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** The type a raw SQL fragment casts its parameter to: `$1::jsonb`, or `$1::${sql.raw("jsonb")}`. */
function castAfterParameter(raw: RawNode, index: number): string {
  const following = raw.sqlFragments[index + 1] ?? "";
  const next = raw.parameters[index + 1];
  if (following === "::" && next?.kind === "RawNode") {
    return (next as RawNode).sqlFragments.join("");
  }
  return following.startsWith("::") ? following.slice(2) : "";
}

/**
 * lite passes json/jsonb function arguments as `${JSON.stringify(value)}::jsonb` (a string value
 * as it is); postgres.js would then encode that text a second time, so `rpc("f", { payload:
 * { a: 1 } })` would receive the JSON *string* '{"a":1}'. This marks arguments that already are
 * JSON text. A string argument that happens to be JSON text ("42") is therefore read as JSON,
 * as lite also does for json columns.
 */
class EncodedJsonArguments extends OperationNodeTransformer {
  protected override transformRaw(node: RawNode, queryId?: QueryId): RawNode {
    const raw = super.transformRaw(node, queryId);
    const parameters = raw.parameters.map((parameter, index) => {
      const castToJson = /^jsonb?(?![\w[])/.test(castAfterParameter(raw, index));
      const value = (parameter as ValueNode).value;
      if (!castToJson || parameter.kind !== "ValueNode" || !isJsonText(value)) return parameter;
      return { ...parameter, value: new EncodedJson(value) };
    });
    return { ...raw, parameters };
  }
}

const encodedJsonArguments: KyselyPlugin = {
  transformQuery: ({ node, queryId }) => new EncodedJsonArguments().transformNode(node, queryId),
  transformResult: ({ result }) => Promise.resolve(result),
};

export class PostgrestConnection extends PostgresConnection {
  constructor(url: string) {
    super({
      url,
      postgresOptions: {
        connection: { application_name: "local-rest" },
        // Rows must read like PostgREST's JSON: ISO timestamps and numerics as JSON numbers
        // (lite keeps Postgres's text form, e.g. "2024-01-01 10:00:00+00" and "87.50").
        // json/jsonb: see EncodedJsonArguments.
        types: {
          json: { to: 114, from: [114], serialize: serializeJson, parse: JSON.parse },
          jsonb: { to: 3802, from: [3802], serialize: serializeJson, parse: JSON.parse },
          timestamp: { to: 1114, from: [1114], serialize: String, parse: isoTimestamp },
          timestamptz: { to: 1184, from: [1184], serialize: String, parse: isoTimestamp },
          numeric: {
            to: 1700,
            from: [1700],
            serialize: String,
            parse: (text: string) => Number.isFinite(Number(text)) ? Number(text) : text,
          },
        },
      },
    });
    // On its first request lite "provisions" RLS: it runs `GRANT ALL ON ALL TABLES` to anon,
    // authenticated and service_role in every schema that has an RLS table, silently undoing any
    // `revoke` a migration made. Marking that step done keeps grants as migrations left them;
    // lite still runs every request under the caller's role with the JWT claims set.
    (this as unknown as { rlsState: string }).rlsState = "active";
    this.kysely = this.kysely.withPlugin(encodedJsonArguments);
  }

  /**
   * lite answers 500 `{"code":"SUP"}` for SQLSTATEs it has no rule for, P0001 (`raise exception`)
   * and 23514 (check violation) among them. Re-raise those the way a function raises a custom
   * PostgREST error, so lite answers PostgREST's status with the original code, message, details
   * and hint.
   */
  override normalizeDbError(error: unknown): unknown {
    const normalized = super.normalizeDbError(error);
    if (!isPostgresError(normalized)) return normalized;
    const { code } = normalized;
    if (LEFT_TO_LITE.has(code) || /^PT\d{3}$/.test(code)) return normalized;
    return {
      code: "PGRST",
      message: JSON.stringify({
        code,
        message: normalized.message,
        details: normalized.detail ?? null,
        hint: normalized.hint ?? null,
      }),
      detail: JSON.stringify({ status: httpStatusForSqlState(code), headers: {} }),
    };
  }
}
