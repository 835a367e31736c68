// `postgres_changes` of the local Realtime server, as hosted Realtime serves them: row changes of
// the tables in the `supabase_realtime` publication, read by logical decoding (wal2json, from a
// temporary replication slot that exists only while someone subscribes), sent to each subscriber
// whose binding matches (event INSERT / UPDATE / DELETE / *, schema, table, `filter=` expression)
// and who may see the row under RLS: the row is selected back as the subscriber (role and JWT
// claims), as Realtime's own check does. DELETE events carry the old row's replica identity (the
// primary key) and are not filtered by RLS, as on hosted Realtime.

import postgres from "postgres";
import type { JwtClaims } from "../platform/jwt.ts";

const POLL_INTERVAL_MS = 100;
const PUBLICATION = "supabase_realtime";
const FILTER = /^([A-Za-z_][A-Za-z0-9_]*)=(eq|neq|lt|lte|gt|gte|in)\.(.*)$/s;
const EVENTS = ["INSERT", "UPDATE", "DELETE", "*"] as const;

export type ChangeEvent = (typeof EVENTS)[number];

/** A binding as the client asked for it (echoed back so), with the id the server gives it. */
export interface ChangeBinding {
  id: number;
  event: string;
  schema: string;
  table?: string;
  filter?: string;
}

/** What a subscribed channel receives (realtime-js turns it into `{eventType, new, old, …}`). */
export interface ChangeData {
  schema: string;
  table: string;
  commit_timestamp: string;
  type: "INSERT" | "UPDATE" | "DELETE";
  columns: { name: string; type: string }[];
  record?: Record<string, unknown>;
  old_record?: Record<string, unknown>;
  errors: null;
}

export interface ChangeSubscriber {
  claims(): JwtClaims;
  deliverChange(ids: number[], data: ChangeData): void;
}

interface Wal2JsonColumn {
  name: string;
  typeoid: number;
  value: unknown;
}

interface Wal2JsonChange {
  action: "I" | "U" | "D" | "B" | "C" | "T" | "M";
  timestamp: string;
  schema: string;
  table: string;
  columns?: Wal2JsonColumn[];
  identity?: Wal2JsonColumn[];
  pk?: { name: string }[];
}

const ACTIONS = { I: "INSERT", U: "UPDATE", D: "DELETE" } as const;

/** wal2json's `2026-12-01 20:25:03.12+00` as ISO 8601. */
function isoTimestamp(timestamp: string): string {
  const iso = timestamp.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00");
  return new Date(iso).toISOString();
}

const quoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** The binding a join asked for, or the reason it is refused. */
export function parseBinding(value: unknown, id: number): ChangeBinding | string {
  const binding = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const event = String(binding.event ?? "*").toUpperCase();
  if (!EVENTS.includes(event as ChangeEvent)) return `unknown event ${binding.event}`;
  if (typeof binding.schema !== "string" || binding.schema === "") return "schema is required";
  if (binding.filter !== undefined && binding.filter !== null && binding.filter !== "") {
    if (typeof binding.filter !== "string" || !FILTER.test(binding.filter)) {
      return `invalid filter ${JSON.stringify(binding.filter)} (expected column=op.value)`;
    }
  }
  return {
    id,
    event: String(binding.event ?? "*"),
    schema: binding.schema,
    ...(typeof binding.table === "string" && binding.table !== "" ? { table: binding.table } : {}),
    ...(typeof binding.filter === "string" && binding.filter !== ""
      ? { filter: binding.filter }
      : {}),
  };
}

/** Whether `record` passes a `column=op.value` filter (values compared as numbers when both are). */
export function passesFilter(filter: string | undefined, record: Record<string, unknown>): boolean {
  if (!filter) return true;
  const [, column, op, operand] = filter.match(FILTER)!;
  if (!(column in record)) return false;
  const value = record[column];
  const text = value === null
    ? null
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  if (op === "in") {
    const options = operand.replace(/^\(|\)$/g, "").split(",").map((option) => option.trim());
    return text !== null && options.includes(text);
  }
  if (text === null) return false;
  const numeric = Number(text) - Number(operand);
  const order = Number.isNaN(numeric) ? text.localeCompare(operand) : numeric;
  switch (op) {
    case "eq":
      return order === 0;
    case "neq":
      return order !== 0;
    case "lt":
      return order < 0;
    case "lte":
      return order <= 0;
    case "gt":
      return order > 0;
    default:
      return order >= 0;
  }
}

function matches(binding: ChangeBinding, data: ChangeData): boolean {
  const event = binding.event.toUpperCase();
  if (event !== "*" && event !== data.type) return false;
  if (binding.schema !== "*" && binding.schema !== data.schema) return false;
  if (binding.table !== undefined && binding.table !== "*" && binding.table !== data.table) {
    return false;
  }
  return passesFilter(binding.filter, data.record ?? data.old_record ?? {});
}

export class PostgresChanges {
  readonly #databaseUrl: string;
  readonly #sql: postgres.Sql;
  readonly #log: (message: string) => void;
  readonly #subscribers = new Map<ChangeSubscriber, ChangeBinding[]>();
  readonly #typeNames = new Map<number, string>();
  #slot: { sql: postgres.Sql; name: string } | undefined;
  #polling: Promise<void> | undefined;
  #nextId = 1;

  /** `sql`: the server's pool (publication, types, RLS checks); the slot gets a connection of its own. */
  constructor(databaseUrl: string, sql: postgres.Sql, log: (message: string) => void) {
    this.#databaseUrl = databaseUrl;
    this.#sql = sql;
    this.#log = log;
  }

  nextBindingId(): number {
    return this.#nextId++;
  }

  /** Starts the replication slot if needed; changes committed from now on are delivered. */
  async subscribe(subscriber: ChangeSubscriber, bindings: ChangeBinding[]): Promise<void> {
    if (bindings.length === 0) return;
    await this.#ensureSlot();
    this.#subscribers.set(subscriber, bindings);
  }

  unsubscribe(subscriber: ChangeSubscriber) {
    this.#subscribers.delete(subscriber);
  }

  async stop() {
    this.#subscribers.clear();
    const slot = this.#slot;
    this.#slot = undefined;
    await this.#polling;
    await slot?.sql.end({ timeout: 5 });
  }

  async #ensureSlot() {
    if (this.#slot) return;
    this.#slot = await this.#createSlot();
    this.#polling = this.#poll();
  }

  async #createSlot(): Promise<{ sql: postgres.Sql; name: string }> {
    // A temporary slot lives as long as its session: a dedicated connection holds it, and the
    // slot (with the WAL it retains) goes away with the server.
    const sql = postgres(this.#databaseUrl, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: "local realtime postgres_changes" },
    });
    const name = `realtime_local_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    try {
      await sql`select pg_create_logical_replication_slot(${name}, 'wal2json', true)`;
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
    return { sql, name };
  }

  async #poll() {
    while (this.#slot) {
      const slot = this.#slot;
      try {
        const rows = await slot.sql<{ data: string }[]>`
          select data from pg_logical_slot_get_changes(${slot.name}, null, null,
            'format-version', '2', 'include-transaction', 'false', 'include-type-oids', 'true',
            'include-timestamp', 'true', 'include-pk', 'true')`;
        if (rows.length > 0) await this.#dispatch(rows.map((row) => JSON.parse(row.data)));
      } catch (error) {
        if (this.#slot) this.#log(`postgres_changes: ${(error as Error).message}`);
        // A restarted server no longer has the temporary slot (undefined_object): a new one
        // delivers what is committed from now on, as Realtime does after it reconnects.
        if (this.#slot === slot && (error as { code?: string }).code === "42704") {
          const replacement = await this.#createSlot().catch(() => undefined);
          if (replacement && this.#slot === slot) {
            this.#slot = replacement;
            await slot.sql.end({ timeout: 1 });
          } else {
            await replacement?.sql.end({ timeout: 1 });
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  async #dispatch(changes: Wal2JsonChange[]) {
    const published = new Set(
      (await this.#sql<{ name: string }[]>`
        select schemaname || '.' || tablename as name from pg_publication_tables
        where pubname = ${PUBLICATION}`).map((row) => row.name),
    );
    for (const change of changes) {
      const type = ACTIONS[change.action as keyof typeof ACTIONS];
      if (!type || !published.has(`${change.schema}.${change.table}`)) continue;
      const data = await this.#changeData(change, type);
      for (const [subscriber, bindings] of this.#subscribers) {
        const ids = bindings.filter((binding) => matches(binding, data)).map((binding) =>
          binding.id
        );
        if (ids.length === 0) continue;
        if (type !== "DELETE" && !(await this.#visible(subscriber.claims(), change))) continue;
        subscriber.deliverChange(ids, data);
      }
    }
  }

  async #changeData(change: Wal2JsonChange, type: ChangeData["type"]): Promise<ChangeData> {
    const columns = change.columns ?? change.identity ?? [];
    const record = (values: Wal2JsonColumn[]) =>
      Object.fromEntries(values.map((column) => [column.name, column.value]));
    return {
      schema: change.schema,
      table: change.table,
      commit_timestamp: isoTimestamp(change.timestamp),
      type,
      columns: await Promise.all(
        columns.map(async (column) => ({
          name: column.name,
          type: await this.#typeName(column.typeoid),
        })),
      ),
      ...(change.columns ? { record: record(change.columns) } : {}),
      ...(type !== "INSERT" ? { old_record: record(change.identity ?? []) } : {}),
      errors: null,
    };
  }

  async #typeName(oid: number): Promise<string> {
    let name = this.#typeNames.get(oid);
    if (name === undefined) {
      const [row] = await this.#sql<{ typname: string }[]>`
        select typname::text from pg_type where oid = ${oid}`;
      name = row?.typname ?? "text";
      this.#typeNames.set(oid, name);
    }
    return name;
  }

  /** Whether the subscriber may see the changed row: selected back under RLS, rolled back. */
  async #visible(claims: JwtClaims, change: Wal2JsonChange): Promise<boolean> {
    const keys = (change.pk ?? []).map((key) => key.name);
    const values = new Map((change.columns ?? []).map((column) => [column.name, column.value]));
    if (keys.length === 0) return false;
    const role = typeof claims.role === "string" ? claims.role : "anon";
    let visible = false;
    try {
      await this.#sql.begin(async (tx) => {
        await tx`
          select set_config('role', ${role}, true),
            set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
            set_config('request.jwt.claim.sub', ${String(claims.sub ?? "")}, true),
            set_config('request.jwt.claim.role', ${role}, true)`;
        const where = keys.map((key, index) => `${quoted(key)}::text = $${index + 1}`);
        const rows = await tx.unsafe(
          `select 1 from ${quoted(change.schema)}.${quoted(change.table)}
           where ${where.join(" and ")}`,
          keys.map((key) => String(values.get(key))),
        );
        visible = rows.length > 0;
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) {
        // No SELECT privilege, or RLS refused: not visible.
        if ((error as { code?: string }).code !== "42501") {
          this.#log(`postgres_changes: visibility check failed: ${(error as Error).message}`);
        }
      }
    }
    return visible;
  }
}

class Rollback extends Error {}
