// Realtime benchmark: delivery latency and throughput of the local Realtime server (/realtime/v1),
// printed beside the figures Supabase publishes for hosted Realtime
// (https://supabase.com/docs/guides/realtime/benchmarks).
//
// 1. WebSocket broadcast, one publisher → 100 and → 1,000 subscribers of one public channel:
//    a paced run (20 messages/s) for latency, then a burst (messages sent back to back) for
//    throughput.
// 2. Database broadcast: `realtime.send` at 1,000 inserts/s (one statement per transaction, from
//    a pool of connections) to 10 subscribers, i.e. 10,000 deliveries/s, the message throughput
//    of Supabase's published database workload.
//
// Subscribers and the publisher are raw WebSockets speaking the Phoenix protocol as realtime-js
// does (serializer 1.0.0, JSON frames: phx_join with a `config`, heartbeats, broadcasts); 1,000
// supabase-js clients in one process would measure the client library more than the server.
// Latency = subscriber receipt − publisher send (WebSocket), or − the row's insert
// (clock_timestamp() inside the inserting transaction, so commit time counts and time spent
// queued in the benchmark's connection pool does not); one machine, so one clock.
// The benchmark process and the platform share that machine's CPUs: the figures are a floor for
// the server, and not comparable one to one with a cluster's. Bursts measure throughput; their
// latencies are queueing time, so no Supabase figure is printed beside them.
//
// Runs against a running platform: start `npm start`, then
//   deno run -A bench/realtime/run.ts
// (settings as in tests/_support/platform.ts). Results: bench/results/realtime.json.

import postgres from "postgres";
import { platform } from "../../tests/_support/platform.ts";
import { ChannelSocket, socketUrl } from "../_support/channel_socket.ts";
import { type LatencySummary, printTable, summarize, writeResults } from "../_support/stats.ts";

const DELIVERY_TIMEOUT_MS = 30_000;
const PACING_TICK_MS = 5;

/** Supabase's published figures (hosted Realtime cluster, k6 load generators). */
const SUPABASE = {
  websocket: { p50: 6, p95: 28, p99: 213, messagesPerSecond: 224_000 },
  database: { p50: 46, p95: 132, p99: 159, messagesPerSecond: 10_000 },
};

interface Broadcast {
  seq: number;
  /** Milliseconds since the epoch, sub-millisecond precision. */
  sentAt: number;
}

/** Now, in milliseconds since the epoch, as precise as performance.now(). */
const epochNow = () => performance.timeOrigin + performance.now();

/** `count` sockets joined to the public `channel`. */
function joinMany(channel: string, count: number): Promise<ChannelSocket<Broadcast>[]> {
  return ChannelSocket.joinAll<Broadcast>(
    Array.from(
      { length: count },
      () => ({ channel, private: false, accessToken: platform.anonKey }),
    ),
  );
}

/** Collects deliveries to `subscribers` until `expected` arrived or the timeout passed. */
function collectDeliveries(subscribers: ChannelSocket<Broadcast>[], expected: number) {
  const latencies: number[] = [];
  let lastArrival = 0;
  let done!: () => void;
  const complete = new Promise<void>((resolve) => done = resolve);
  for (const subscriber of subscribers) {
    subscriber.onBroadcast = ({ sentAt }) => {
      lastArrival = performance.now();
      latencies.push(epochNow() - sentAt);
      if (latencies.length === expected) done();
    };
  }
  const timeout = setTimeout(done, DELIVERY_TIMEOUT_MS);
  return {
    latencies,
    lastArrival: () => lastArrival,
    finished: complete.then(() => clearTimeout(timeout)),
  };
}

interface ScenarioResult {
  scenario: string;
  subscribers: number;
  messages: number;
  deliveries: number;
  expectedDeliveries: number;
  /** Messages (publisher side) per second, from the first send to the last delivery. */
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  latencyMs: LatencySummary;
  /** Supabase's figures for the same kind of delivery; none for bursts (queueing, not latency). */
  supabase: typeof SUPABASE.websocket | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `messages` broadcasts, paced at `rate` per second (or back to back when null). */
async function websocketRun(
  subscriberCount: number,
  messages: number,
  rate: number | null,
): Promise<ScenarioResult> {
  const channel = `bench-${crypto.randomUUID()}`;
  const subscribers = await joinMany(channel, subscriberCount);
  const [publisher] = await joinMany(channel, 1);
  const expected = messages * subscriberCount;
  const deliveries = collectDeliveries(subscribers, expected);
  const started = performance.now();
  for (let seq = 0; seq < messages; seq++) {
    if (rate) {
      const due = started + (seq * 1000) / rate;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    publisher.broadcast("bench", { seq, sentAt: epochNow() });
  }
  await deliveries.finished;
  const seconds = (deliveries.lastArrival() - started) / 1000;
  await Promise.all([...subscribers, publisher].map((socket) => socket.close()));
  return {
    scenario: `WebSocket broadcast, ${rate ? `paced ${rate} msg/s` : "burst"}`,
    subscribers: subscriberCount,
    messages,
    deliveries: deliveries.latencies.length,
    expectedDeliveries: expected,
    messagesPerSecond: messages / seconds,
    deliveriesPerSecond: deliveries.latencies.length / seconds,
    latencyMs: summarize(deliveries.latencies),
    supabase: rate ? SUPABASE.websocket : null,
  };
}

/** `realtime.send` at `insertsPerSecond` for `seconds`, one statement per transaction. */
async function databaseRun(
  subscriberCount: number,
  insertsPerSecond: number,
  seconds: number,
): Promise<ScenarioResult & { insertsPerSecond: number }> {
  const sql = postgres(platform.databaseUrl, { max: 20, onnotice: () => {} });
  const channel = `bench-db-${crypto.randomUUID()}`;
  const subscribers = await joinMany(channel, subscriberCount);
  const inserts = insertsPerSecond * seconds;
  const expected = inserts * subscriberCount;
  const deliveries = collectDeliveries(subscribers, expected);
  const statements: Promise<unknown>[] = [];
  const started = performance.now();
  // Every few milliseconds, the statements due by then (timers are too coarse for one each).
  for (let seq = 0; seq < inserts;) {
    const due = Math.min(
      inserts,
      Math.floor(((performance.now() - started) * insertsPerSecond) / 1000) + 1,
    );
    for (; seq < due; seq++) {
      statements.push(sql`
        select realtime.send(
          jsonb_build_object('seq', ${seq}::int, 'sentAt', extract(epoch from clock_timestamp()) * 1000),
          'bench', ${channel}, false
        )`);
    }
    await sleep(PACING_TICK_MS);
  }
  await Promise.all(statements);
  const insertSeconds = (performance.now() - started) / 1000;
  await deliveries.finished;
  const elapsed = (deliveries.lastArrival() - started) / 1000;
  await Promise.all(subscribers.map((socket) => socket.close()));
  await sql.end();
  return {
    scenario: `database broadcast (realtime.send), ${insertsPerSecond} inserts/s offered`,
    subscribers: subscriberCount,
    messages: inserts,
    insertsPerSecond: inserts / insertSeconds,
    deliveries: deliveries.latencies.length,
    expectedDeliveries: expected,
    messagesPerSecond: inserts / elapsed,
    deliveriesPerSecond: deliveries.latencies.length / elapsed,
    latencyMs: summarize(deliveries.latencies),
    supabase: SUPABASE.database,
  };
}

console.log(`Realtime ${socketUrl.split("?")[0]}`);
const results: ScenarioResult[] = [];
for (const subscribers of [100, 1_000]) {
  results.push(await websocketRun(subscribers, 100, 20));
  results.push(await websocketRun(subscribers, subscribers === 100 ? 1_000 : 200, null));
}
const database = await databaseRun(10, 1_000, 5);
results.push(database);

console.log("");
printTable(results.map((result) => ({
  scenario: result.scenario,
  subscribers: result.subscribers,
  "msg/s": result.messagesPerSecond,
  "deliveries/s": result.deliveriesPerSecond,
  delivered: `${result.deliveries}/${result.expectedDeliveries}`,
  "p50 ms": result.latencyMs.p50,
  "p99 ms": result.latencyMs.p99,
  "Supabase p50 ms": result.supabase?.p50 ?? "-",
  "Supabase p99 ms": result.supabase?.p99 ?? "-",
})));
console.log(`\nDatabase broadcast: ${Math.round(database.insertsPerSecond)} inserts/s achieved.`);
console.log(
  "Supabase: hosted Realtime cluster; WebSocket broadcast 32,000 users at 224,000 msgs/s, " +
    "database broadcast 80,000 users at 10,000 msgs/s (supabase.com/docs/guides/realtime/benchmarks).",
);
const path = await writeResults("realtime", { url: socketUrl.split("?")[0], results });
console.log(`written to ${path}`);
