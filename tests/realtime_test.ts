// The local Realtime server (local/realtime/) driven by the real supabase-js client.
//
// By default the tests serve the Realtime service in-process on REALTIME_TEST_PORT (platform API
// port + 20), so the restart test can stop and start it, over the platform's database
// (SUPABASE_DB_URL, set by `npm test`; REALTIME_TEST_DB_URL; or, run by hand, the dev platform's).
// To test a running platform instead, set REALTIME_TEST_URL (gateway URL) and REALTIME_TEST_KEYS
// (its keys.json); the server-restart test is then skipped.
//
//   LOCAL_PLATFORM_PORT_OFFSET=<n> deno test --allow-all tests/realtime_test.ts

import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import assert from "node:assert/strict";
import { environments } from "../local/platform/environments.ts";
import { signJwt } from "../local/platform/jwt.ts";
import { generateKeys, type PlatformKeys } from "../local/platform/keys.ts";
import { createRealtimeService } from "../local/realtime/service.ts";
import type { MountedService } from "../local/gateway/types.ts";
import { deferred } from "./_support/deferred.ts";

// Run by hand, the dev platform's database (honouring LOCAL_PLATFORM_PORT_OFFSET).
const databaseUrl = Deno.env.get("REALTIME_TEST_DB_URL") ?? Deno.env.get("SUPABASE_DB_URL") ??
  `postgres://postgres@127.0.0.1:${environments.dev.databasePort}/postgres`;
const externalUrl = Deno.env.get("REALTIME_TEST_URL");
// Next to the platform's own ports, so parallel platform instances do not collide.
const port = Number(
  Deno.env.get("REALTIME_TEST_PORT") ??
    Number(
        new URL(Deno.env.get("SUPABASE_URL") ?? `http://127.0.0.1:${environments.dev.apiPort}`)
          .port,
      ) + 20,
);
const apiUrl = externalUrl ?? `http://127.0.0.1:${port}`;
const keys: PlatformKeys = externalUrl
  ? JSON.parse(await Deno.readTextFile(Deno.env.get("REALTIME_TEST_KEYS")!))
  : await generateKeys();

/** Serves the Realtime service on `port`, as the gateway mounts it. */
async function serveRealtime() {
  const service: MountedService = await createRealtimeService({
    databaseUrl,
    apiUrl,
    keys,
    projectRoot: Deno.cwd(),
    watch: false,
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen() {} },
    (request, info) =>
      new URL(request.url).pathname.startsWith("/realtime/v1/")
        ? service.handle(request, info)
        : new Response("not found", { status: 404 }),
  );
  return {
    async close() {
      await service.close();
      await server.shutdown();
    },
  };
}

let server = externalUrl ? null : await serveRealtime();
const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });

// Private topics `rt-scratch:<user id>` are readable and writable by that user only.
await sql.unsafe(`
  drop policy if exists "rt scratch: own topic read" on realtime.messages;
  drop policy if exists "rt scratch: own topic write" on realtime.messages;
  create policy "rt scratch: own topic read" on realtime.messages for select to authenticated
    using (realtime.topic() = 'rt-scratch:' || (select auth.uid())::text);
  create policy "rt scratch: own topic write" on realtime.messages for insert to authenticated
    with check (realtime.topic() = 'rt-scratch:' || (select auth.uid())::text);
  create table if not exists public.rt_scratch_notes (
    id bigint generated always as identity primary key,
    owner uuid not null,
    body text not null
  );
  create or replace function public.rt_scratch_notes_broadcast() returns trigger
  language plpgsql security definer as $$
  begin
    perform realtime.broadcast_changes(
      'rt-scratch:' || coalesce(new.owner, old.owner)::text, tg_op, tg_op,
      tg_table_name, tg_table_schema, new, old
    );
    return null;
  end;
  $$;
  create or replace trigger rt_scratch_notes_broadcast after insert or update or delete
    on public.rt_scratch_notes for each row execute function public.rt_scratch_notes_broadcast();
`);

const clients: SupabaseClient[] = [];

async function userToken(sub: string, lifetimeSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await signJwt(
    { sub, role: "authenticated", aud: "authenticated", iat: now, exp: now + lifetimeSeconds },
    keys.jwtSecret,
  );
}

function client(
  options: { key?: string; vsn?: "1.0.0" | "2.0.0" } = {},
): SupabaseClient {
  const supabase = createClient(apiUrl, options.key ?? keys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: options.vsn ? { vsn: options.vsn } : {},
  });
  clients.push(supabase);
  return supabase;
}

/** A client signed in as `token`'s user (third-party-auth style `accessToken` callback). */
async function userClient(token: string): Promise<SupabaseClient> {
  const supabase = createClient(apiUrl, keys.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    accessToken: () => Promise.resolve(token),
  });
  clients.push(supabase);
  // The first join must carry the user's token, not just the API key.
  await supabase.realtime.setAuth(token);
  return supabase;
}

async function closeClients() {
  await Promise.all(clients.splice(0).map((supabase) => supabase.removeAllChannels()));
}

/** Subscribes and resolves once SUBSCRIBED; rejects with the server's reason otherwise. */
function subscribed(channel: RealtimeChannel): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") resolve(channel);
      else reject(error ?? new Error(status));
    });
  });
}

async function assertRejects(promise: Promise<unknown>) {
  const outcome = await promise.then(() => "resolved", () => "rejected");
  assert.equal(outcome, "rejected");
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uniqueTopic = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;

async function broadcastBetweenTwoClients(
  versionA: "1.0.0" | "2.0.0",
  versionB: "1.0.0" | "2.0.0",
) {
  const topic = uniqueTopic("room");
  const a = client({ key: keys.publishableKey, vsn: versionA });
  const b = client({ vsn: versionB });
  const toB = deferred<Record<string, unknown>>("A's message at B");
  const toA = deferred<Record<string, unknown>>("B's message at A");
  const ownEcho = deferred<Record<string, unknown>>("A's own message (self)");
  const channelA = a.channel(topic, { config: { broadcast: { self: true, ack: true } } })
    .on("broadcast", { event: "hello" }, (message) => {
      if (message.payload.from === "a") ownEcho.resolve(message);
      else toA.resolve(message);
    });
  const channelB = b.channel(topic).on(
    "broadcast",
    { event: "hello" },
    (message) => toB.resolve(message),
  );
  await Promise.all([subscribed(channelA), subscribed(channelB)]);

  assert.deepEqual(
    await channelA.send({ type: "broadcast", event: "hello", payload: { from: "a", n: 1 } }),
    "ok",
  );
  await channelB.send({
    type: "broadcast",
    event: "hello",
    payload: { from: "b", text: "héllo ✓" },
  });

  assert.deepEqual((await toB.promise).payload, { from: "a", n: 1 });
  assert.deepEqual((await ownEcho.promise).event, "hello");
  const atA = await toA.promise;
  assert.deepEqual(atA.type, "broadcast");
  assert.deepEqual(atA.payload, { from: "b", text: "héllo ✓" });
  await closeClients();
}

Deno.test(
  "broadcast between two clients (serializer 2.0.0, self and ack)",
  () => broadcastBetweenTwoClients("2.0.0", "2.0.0"),
);

Deno.test(
  "broadcast between two clients (serializer 1.0.0)",
  () => broadcastBetweenTwoClients("1.0.0", "1.0.0"),
);

Deno.test(
  "broadcast between a 1.0.0 and a 2.0.0 client",
  () => broadcastBetweenTwoClients("1.0.0", "2.0.0"),
);

Deno.test("presence: state, join and leave", async () => {
  const topic = uniqueTopic("lobby");
  const a = client();
  const b = client({ vsn: "1.0.0" });
  const bJoinedSeenByA = deferred<void>("B's join at A");
  const bLeftSeenByA = deferred<void>("B's leave at A");
  const channelA = a.channel(topic, { config: { presence: { key: "alice" } } })
    .on("presence", { event: "join" }, ({ key }) => key === "bob" && bJoinedSeenByA.resolve())
    .on("presence", { event: "leave" }, ({ key }) => key === "bob" && bLeftSeenByA.resolve());
  await subscribed(channelA);
  assert.deepEqual(await channelA.track({ name: "Alice" }), "ok");

  const bSynced = deferred<void>("both presences at B");
  const channelB = b.channel(topic, { config: { presence: { key: "bob" } } })
    .on("presence", { event: "sync" }, () => {
      const state = channelB.presenceState();
      if (state.alice && state.bob) bSynced.resolve();
    });
  await subscribed(channelB);
  assert.deepEqual(await channelB.track({ name: "Bob" }), "ok");
  await bSynced.promise;
  await bJoinedSeenByA.promise;
  const aliceAtB = channelB.presenceState().alice[0] as Record<string, unknown>;
  assert.deepEqual(aliceAtB.name, "Alice");
  assert.equal(typeof aliceAtB.presence_ref, "string");

  await b.removeChannel(channelB);
  await bLeftSeenByA.promise;
  assert.deepEqual(Object.keys(channelA.presenceState()), ["alice"]);
  await closeClients();
});

Deno.test("private channels are authorized by RLS on realtime.messages", async () => {
  const alice = crypto.randomUUID();
  const topic = `rt-scratch:${alice}`;

  const stranger = await userClient(await userToken(crypto.randomUUID()));
  const refusal = await subscribed(stranger.channel(topic, { config: { private: true } }))
    .then(() => null, (error: Error) => error);
  assert.deepEqual(
    refusal?.message,
    `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
  );

  const anonymous = client();
  await assertRejects(subscribed(anonymous.channel(topic, { config: { private: true } })));

  const owner = await userClient(await userToken(alice));
  const echo = deferred<Record<string, unknown>>("the owner's broadcast");
  const privateChannel = owner.channel(topic, {
    config: { private: true, broadcast: { self: true } },
  })
    .on("broadcast", { event: "ping" }, (message) => echo.resolve(message));
  await subscribed(privateChannel);

  // The public channel of the same name is another topic. Its subscriber sends itself a marker
  // after the private ping was delivered: had the ping reached it, it would have come first.
  let publicReceived = false;
  const marker = deferred<void>("the public channel's own marker");
  const publicChannel = client().channel(topic, { config: { broadcast: { self: true } } })
    .on("broadcast", { event: "ping" }, () => publicReceived = true)
    .on("broadcast", { event: "marker" }, () => marker.resolve());
  await subscribed(publicChannel);
  await privateChannel.send({ type: "broadcast", event: "ping", payload: { ok: true } });
  assert.deepEqual((await echo.promise).payload, { ok: true });
  await publicChannel.send({ type: "broadcast", event: "marker", payload: {} });
  await marker.promise;
  assert.deepEqual(publicReceived, false);
  await closeClients();
});

Deno.test(
  "database broadcasts reach subscribers of their topic, in commit order",
  async () => {
    const alice = crypto.randomUUID();
    const topic = `rt-scratch:${alice}`;
    const owner = await userClient(await userToken(alice));
    const received: Record<string, unknown>[] = [];
    const three = deferred<void>("three database broadcasts");
    const change = deferred<Record<string, unknown>>("a broadcast_changes message");
    await subscribed(
      owner.channel(topic, { config: { private: true } })
        .on("broadcast", { event: "db-event" }, (message) => {
          received.push(message);
          if (received.length === 3) three.resolve();
        })
        .on("broadcast", { event: "INSERT" }, (message) => change.resolve(message)),
    );
    let publicReceived = false;
    const marker = deferred<void>("a public database broadcast after the private ones");
    await subscribed(
      client().channel(topic)
        .on("broadcast", { event: "db-event" }, () => publicReceived = true)
        .on("broadcast", { event: "marker" }, () => marker.resolve()),
    );

    await sql.begin(async (tx) => {
      await tx`select realtime.send(${tx.json({ n: 0 })}, 'db-event', ${topic}, true)`;
      throw new Error("roll back");
    }).catch(() => {});
    for (const n of [1, 2, 3]) {
      await sql`select realtime.send(${sql.json({ n })}, 'db-event', ${topic}, true)`;
    }
    await three.promise;
    assert.deepEqual(received.map((message) => (message.payload as { n: number }).n), [1, 2, 3]);
    const first = received[0] as { payload: { id: string }; meta: { id: string } };
    assert.deepEqual(first.meta.id, first.payload.id);
    // Delivered in commit order: once a public broadcast sent after them arrives, the private
    // ones would have reached the public subscriber already, had they been sent to it.
    await sql`select realtime.send('{}'::jsonb, 'marker', ${topic}, false)`;
    await marker.promise;
    assert.deepEqual(publicReceived, false);

    await sql`insert into public.rt_scratch_notes (owner, body) values (${alice}, 'hello')`;
    const insert = (await change.promise).payload as Record<string, unknown>;
    assert.deepEqual(insert.operation, "INSERT");
    assert.deepEqual(insert.table, "rt_scratch_notes");
    assert.deepEqual(insert.schema, "public");
    assert.deepEqual((insert.record as { body: string }).body, "hello");
    assert.deepEqual(insert.old_record, null);
    await closeClients();
  },
);

Deno.test("a new token without access ends a private channel", async () => {
  const alice = crypto.randomUUID();
  const owner = await userClient(await userToken(alice));
  const system = deferred<Record<string, unknown>>("the system message");
  const topic = `rt-scratch:${alice}`;
  const channel = owner.channel(topic, { config: { private: true, presence: { key: alice } } })
    .on("system", {}, (message) => system.resolve(message));
  await subscribed(channel);
  assert.equal(await channel.track({ online: true }), "ok");
  await owner.realtime.setAuth(await userToken(crypto.randomUUID()));
  assert.equal(
    (await system.promise).message,
    `You do not have permissions to read from this Channel topic: ${topic}`,
  );
  await closeClients();
});

/** A raw Phoenix connection, to check frames exactly. */
async function rawSocket(version: "1.0.0" | "2.0.0") {
  const url = `${
    apiUrl.replace("http", "ws")
  }/realtime/v1/websocket?apikey=${keys.anonKey}&vsn=${version}`;
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  const frames: (string | ArrayBuffer)[] = [];
  let waiter: (() => void) | null = null;
  socket.onmessage = (event) => {
    frames.push(event.data);
    waiter?.();
  };
  await new Promise((resolve) => socket.onopen = resolve);
  return {
    send: (frame: unknown) => socket.send(JSON.stringify(frame)),
    async next(): Promise<string | ArrayBuffer> {
      const deadline = Date.now() + 3000;
      while (frames.length === 0) {
        assert.ok(Date.now() < deadline, "no frame within 3 s");
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 100);
        });
      }
      return frames.shift()!;
    },
    close: () => socket.close(),
  };
}

Deno.test("Phoenix frames: heartbeat, join, binary broadcast, leave", async () => {
  const topic = `realtime:${uniqueTopic("raw")}`;
  const v2 = await rawSocket("2.0.0");
  v2.send([null, "1", "phoenix", "heartbeat", {}]);
  assert.deepEqual(JSON.parse(await v2.next() as string), [
    null,
    "1",
    "phoenix",
    "phx_reply",
    { status: "ok", response: {} },
  ]);
  v2.send(["2", "2", topic, "phx_join", { config: { broadcast: { self: true } } }]);
  assert.deepEqual(JSON.parse(await v2.next() as string), [
    "2",
    "2",
    topic,
    "phx_reply",
    { status: "ok", response: { postgres_changes: [] } },
  ]);
  v2.send(["9", "3", "realtime:not-joined", "broadcast", {}]);
  assert.deepEqual(JSON.parse(await v2.next() as string)[4], {
    status: "error",
    response: { reason: "unmatched topic" },
  });

  // A JSON broadcast comes back as a text frame; a database broadcast as a binary one (kind 4).
  v2.send(["2", "4", topic, "broadcast", { type: "broadcast", event: "e", payload: { a: 1 } }]);
  assert.deepEqual(JSON.parse(await v2.next() as string), [
    null,
    null,
    topic,
    "broadcast",
    { type: "broadcast", event: "e", payload: { a: 1 } },
  ]);
  await sql`select realtime.send(${sql.json({ b: 2 })}, 'db', ${topic.slice(9)}, false)`;
  const frame = new Uint8Array(await v2.next() as ArrayBuffer);
  assert.equal(frame[0], 4);
  const [topicSize, eventSize, metaSize, encoding] = frame.slice(1, 5);
  const text = (from: number, size: number) =>
    new TextDecoder().decode(frame.slice(from, from + size));
  assert.equal(text(5, topicSize), topic);
  assert.equal(text(5 + topicSize, eventSize), "db");
  const meta = JSON.parse(text(5 + topicSize + eventSize, metaSize));
  assert.equal(encoding, 1);
  assert.deepEqual(JSON.parse(text(5 + topicSize + eventSize + metaSize, frame.length)), {
    b: 2,
    id: meta.id,
  });

  v2.send(["2", "5", topic, "phx_leave", {}]);
  assert.deepEqual(JSON.parse(await v2.next() as string)[4], { status: "ok", response: {} });
  assert.deepEqual(JSON.parse(await v2.next() as string), ["2", "2", topic, "phx_close", {}]);
  v2.close();

  const v1 = await rawSocket("1.0.0");
  v1.send({ topic, event: "phx_join", payload: {}, ref: "1", join_ref: "1" });
  assert.deepEqual(JSON.parse(await v1.next() as string), {
    topic,
    event: "phx_reply",
    payload: { status: "ok", response: { postgres_changes: [] } },
    ref: "1",
  });
  await sql`select realtime.send(${sql.json({ c: 3 })}, 'db', ${topic.slice(9)}, false)`;
  const broadcast = JSON.parse(await v1.next() as string);
  assert.equal(broadcast.event, "broadcast");
  assert.equal(broadcast.payload.type, "broadcast");
  assert.equal(broadcast.payload.event, "db");
  assert.equal(broadcast.payload.payload.c, 3);
  assert.equal(broadcast.payload.meta.id, broadcast.payload.payload.id);
  v1.close();
});

Deno.test(
  "REST broadcast: public delivered, private only with write access",
  async () => {
    const topic = uniqueTopic("news");
    const listener = client();
    const delivered = deferred<Record<string, unknown>>("the REST broadcast");
    await subscribed(
      listener.channel(topic).on(
        "broadcast",
        { event: "headline" },
        (message) => delivered.resolve(message),
      ),
    );
    const response = await fetch(`${apiUrl}/realtime/v1/api/broadcast`, {
      method: "POST",
      headers: { apikey: keys.secretKey, "content-type": "application/json" },
      body: JSON.stringify({
        messages: [
          { topic, event: "headline", payload: { title: "Local Realtime" } },
          { topic: "rt-scratch:nobody", event: "headline", payload: {}, private: true },
        ],
      }),
    });
    assert.deepEqual(response.status, 202);
    await response.body?.cancel();
    assert.deepEqual((await delivered.promise).payload, { title: "Local Realtime" });

    const forbidden = await fetch(
      `${apiUrl}/realtime/v1/api/broadcast/${
        encodeURIComponent(topic)
      }/events/headline?private=true`,
      {
        method: "POST",
        headers: { apikey: keys.anonKey, "content-type": "application/json" },
        body: JSON.stringify({ title: "nope" }),
      },
    );
    assert.deepEqual(forbidden.status, 403);
    await forbidden.body?.cancel();
    await closeClients();
  },
);

Deno.test("an expired token closes the channel with a system message", async () => {
  const alice = crypto.randomUUID();
  const owner = await userClient(await userToken(alice, 2));
  const system = deferred<Record<string, unknown>>("the system message", 8000);
  const closed = deferred<void>("the channel close", 8000);
  owner.channel(`rt-scratch:${alice}`, { config: { private: true } })
    .on("system", {}, (message) => system.resolve(message))
    .subscribe((status) => status === "CLOSED" && closed.resolve());
  const message = await system.promise;
  assert.deepEqual(message.status, "error");
  assert.deepEqual(message.extension, "system");
  assert.match(String(message.message), /^Token has expired \d+ seconds ago$/);
  await closed.promise;
  await closeClients();
});

Deno.test({
  name: "clients reconnect and rejoin after the server restarts",
  ignore: externalUrl !== undefined,
  async fn() {
    const topic = uniqueTopic("restart");
    const a = client();
    const b = client({ vsn: "1.0.0" });
    const channelA = a.channel(topic);
    const channelB = b.channel(topic);
    await Promise.all([subscribed(channelA), subscribed(channelB)]);

    await server!.close();
    server = await serveRealtime();
    const deadline = Date.now() + 15_000;
    while (
      !(channelA.state === "joined" && channelB.state === "joined" && a.realtime.isConnected())
    ) {
      assert.ok(Date.now() < deadline, "clients did not rejoin within 15 s");
      await delay(100);
    }
    const afterRestart = deferred<Record<string, unknown>>("a broadcast after the restart");
    channelB.on("broadcast", { event: "again" }, (message) => afterRestart.resolve(message));
    await channelA.send({ type: "broadcast", event: "again", payload: { restarted: true } });
    assert.deepEqual((await afterRestart.promise).payload, { restarted: true });
    await closeClients();
  },
});

// The scratch table and policies are this file's own; its server and pool close with it.
Deno.test.afterAll(async () => {
  await closeClients();
  await sql.unsafe(`
    drop policy if exists "rt scratch: own topic read" on realtime.messages;
    drop policy if exists "rt scratch: own topic write" on realtime.messages;
    drop table if exists public.rt_scratch_notes;
    drop function if exists public.rt_scratch_notes_broadcast();
  `);
  await sql.end();
  await server?.close();
});
