// `postgres_changes` with supabase-js on the local Realtime server, as on hosted Realtime: the
// changes of a table in the `supabase_realtime` publication, per event, with `filter=`
// expressions, and only the rows the subscriber may see under RLS. The product itself sends
// broadcasts instead (docs/reference/realtime.md); this is for apps that subscribe to tables.
// The test adds `notifications` to the publication for its duration.

import assert from "node:assert/strict";
import type { RealtimePostgresChangesPayload } from "@supabase/supabase-js";
import { closeRealtime } from "./_support/messaging.ts";
import { createUser, sql, type TestUser } from "./_support/platform.ts";

const options = { sanitizeResources: false, sanitizeOps: false };
type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

/** Subscribes `user` to changes of notifications; resolves once the server confirmed it. */
async function watch(
  user: TestUser,
  binding: { event: "*" | "INSERT" | "UPDATE" | "DELETE"; filter?: string },
): Promise<Change[]> {
  await user.client.realtime.setAuth(user.accessToken);
  const received: Change[] = [];
  const channel = user.client.channel(`changes-${crypto.randomUUID()}`);
  channel.on(
    "postgres_changes",
    { schema: "public", table: "notifications", ...binding },
    (change) => received.push(change as Change),
  );
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") resolve();
      else if (status !== "CLOSED") reject(error ?? new Error(status));
    });
  });
  return received;
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

Deno.test("postgres_changes: events, filters and RLS as hosted Realtime", options, async () => {
  const [owner, other] = await Promise.all([createUser("candidate"), createUser("candidate")]);
  await sql`alter publication supabase_realtime add table public.notifications`;
  try {
    const everything = await watch(owner, { event: "*" });
    const systemOnly = await watch(owner, { event: "INSERT", filter: "type=eq.system" });
    const deletes = await watch(owner, { event: "DELETE" });
    const stranger = await watch(other, { event: "*" });

    // One change at a time: the RLS check selects the row back, as hosted Realtime's does, so
    // a row already deleted when its insert is checked is not delivered (hosted alike).
    const [alert] = await sql<{ id: string }[]>`
      insert into public.notifications (user_id, type, title)
      values (${owner.id}, 'job_alert', 'Une offre') returning id`;
    await until("the insert", () => everything.length === 1);
    await sql`
      insert into public.notifications (user_id, type, title)
      values (${owner.id}, 'system', 'Maintenance')`;
    await until("the second insert", () => everything.length === 2);
    await sql`update public.notifications set read_at = now() where id = ${alert.id}`;
    await until("the update", () => everything.length === 3);
    await sql`delete from public.notifications where id = ${alert.id}`;
    await until("the delete", () => everything.length === 4);
    assert.deepEqual(everything.map((change) => change.eventType), [
      "INSERT",
      "INSERT",
      "UPDATE",
      "DELETE",
    ]);
    const [inserted, , updated, deleted] = everything;
    assert.equal(inserted.schema, "public");
    assert.equal(inserted.table, "notifications");
    assert.equal((inserted.new as Record<string, unknown>).title, "Une offre");
    assert.deepEqual((inserted.new as Record<string, unknown>).data, {});
    assert.ok(!Number.isNaN(Date.parse(inserted.commit_timestamp)));
    assert.ok((updated.new as Record<string, unknown>).read_at);
    assert.deepEqual(deleted.old, { id: alert.id });

    await until("the filtered insert", () => systemOnly.length === 1);
    assert.equal((systemOnly[0].new as Record<string, unknown>).title, "Maintenance");
    await until("the delete binding", () => deletes.length === 1);

    // The other member sees no row of the owner's inbox (RLS); deletes carry only the key.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(stranger.map((change) => change.eventType), ["DELETE"]);
    assert.equal(systemOnly.length, 1);
  } finally {
    await sql`alter publication supabase_realtime drop table public.notifications`;
    await closeRealtime(owner.client, other.client);
  }
});

Deno.test("postgres_changes: a malformed filter is refused at join", options, async () => {
  const user = await createUser("candidate");
  await user.client.realtime.setAuth(user.accessToken);
  const channel = user.client.channel(`changes-${crypto.randomUUID()}`)
    .on("postgres_changes", {
      event: "*",
      schema: "public",
      table: "notifications",
      filter: "no operator",
    }, () => {});
  const outcome = await new Promise<{ status: string; error?: Error }>((resolve) =>
    channel.subscribe((status, error) => {
      if (status !== "SUBSCRIBED" || error) resolve({ status, error });
      else resolve({ status });
    })
  );
  try {
    assert.equal(outcome.status, "CHANNEL_ERROR");
    assert.match(String(outcome.error?.message), /invalid filter/);
  } finally {
    await closeRealtime(user.client);
  }
});
