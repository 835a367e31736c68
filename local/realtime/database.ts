// Database side of the local Realtime server:
// - database broadcasts: rows committed into realtime.messages (realtime.send,
//   realtime.broadcast_changes, direct inserts) reach the subscribers of their topic. Hosted
//   Realtime streams them from a replication slot; here the `local_announce_message` trigger
//   NOTIFYs each row id at commit, in commit order, and rows are delivered in that order.
// - the janitor: realtime.messages partitions from yesterday to 3 days ahead are created, and the
//   ones older than 72 hours dropped, hourly, as hosted Realtime's janitor does.

import type postgres from "postgres";
import { type Hub, hubTopic } from "./hub.ts";
import { UserBroadcast } from "./protocol.ts";

/** NOTIFY channel of the `local_announce_message` trigger (local/bootstrap/30_realtime.sql). */
const ANNOUNCE_CHANNEL = "realtime_local_messages";
const JANITOR_INTERVAL_MS = 60 * 60 * 1000;
const RETENTION_HOURS = 72;
const DAY_MS = 86_400_000;

interface MessageRow {
  id: string;
  topic: string;
  event: string | null;
  private: boolean | null;
  payload: string | null;
  binary_payload: Uint8Array | null;
}

export interface DatabaseBroadcasts {
  stop(): Promise<void>;
}

/** Starts delivering committed realtime.messages rows to the hub. */
export async function startDatabaseBroadcasts(
  sql: postgres.Sql,
  hub: Hub,
  log: (message: string) => void,
): Promise<DatabaseBroadcasts> {
  const announced: string[] = [];
  let draining: Promise<void> | null = null;

  const deliver = (row: MessageRow) => {
    if (row.event === null || row.private === null) {
      return log(`message ${row.id} has no event or private flag; not delivered`);
    }
    const meta = { id: row.id };
    const broadcast = row.binary_payload !== null
      ? new UserBroadcast(row.event, "binary", row.binary_payload, meta)
      : row.payload !== null
      ? new UserBroadcast(row.event, "json", new TextEncoder().encode(row.payload), meta)
      : null;
    if (!broadcast) return log(`message ${row.id} has no payload; not delivered`);
    hub.broadcast(hubTopic(row.topic, row.private), broadcast);
  };

  // One batch query at a time; ids announced meanwhile wait for the next batch, so rows go out
  // in announcement (commit) order.
  const drain = async () => {
    while (announced.length > 0) {
      const ids = announced.splice(0);
      try {
        const rows = await sql<MessageRow[]>`
          select id, topic, event, private, payload::text as payload, binary_payload
          from realtime.messages
          where id = any(${ids}::uuid[])
        `;
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const id of ids) {
          const row = byId.get(id);
          if (row) deliver(row);
        }
      } catch (error) {
        log(`could not read announced messages ${ids.join(", ")}: ${error}`);
      }
    }
    draining = null;
  };

  const { unlisten } = await sql.listen(ANNOUNCE_CHANNEL, (id) => {
    announced.push(id);
    draining ??= drain();
  });

  return {
    async stop() {
      await unlisten();
      await draining;
    },
  };
}

/** The UTC date of a timestamp, as YYYY-MM-DD. */
function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Creates the partitions around today and drops expired ones. */
async function maintainMessagePartitions(sql: postgres.Sql) {
  const existing = await sql<{ name: string }[]>`
    select child.relname as name
    from pg_inherits
    join pg_class parent on parent.oid = pg_inherits.inhparent
    join pg_class child on child.oid = pg_inherits.inhrelid
    join pg_namespace schema on schema.oid = parent.relnamespace
    where schema.nspname = 'realtime' and parent.relname = 'messages'
  `;
  // Partition names and bounds are built here from dates, never from input: safe to inline.
  const oldestKept = isoDay(Date.now() - RETENTION_HOURS * 3600 * 1000);
  for (const { name } of existing) {
    const day = name.match(/^messages_(\d{4})_(\d{2})_(\d{2})$/);
    if (day && `${day[1]}-${day[2]}-${day[3]}` < oldestKept) {
      await sql.unsafe(`drop table if exists realtime.${name}`);
    }
  }
  const today = Date.parse(isoDay(Date.now()));
  for (let offset = -1; offset <= 3; offset++) {
    const start = isoDay(today + offset * DAY_MS);
    const end = isoDay(today + (offset + 1) * DAY_MS);
    const name = `messages_${start.replaceAll("-", "_")}`;
    try {
      await sql.unsafe(
        `create table if not exists realtime.${name} partition of realtime.messages ` +
          `for values from ('${start}') to ('${end}')`,
      );
      await sql.unsafe(`alter table realtime.${name} owner to supabase_realtime_admin`);
    } catch (error) {
      // Another server instance created it at the same moment.
      if ((error as { code?: string }).code !== "42P07") throw error;
    }
  }
}

/** Runs the partition maintenance now and every hour. */
export async function startJanitor(
  sql: postgres.Sql,
  log: (message: string) => void,
): Promise<{ stop(): void }> {
  await maintainMessagePartitions(sql);
  const timer = setInterval(() => {
    maintainMessagePartitions(sql).catch((error) => log(`partition maintenance failed: ${error}`));
  }, JANITOR_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}
