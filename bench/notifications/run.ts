// Notification fan-out benchmark: one notification to 100,000 recipients, in-app + push, end to
// end (request → in-app rows + Realtime messages written → every push chunk accepted by OneSignal),
// through this project's dispatcher (pgmq + set-based SQL + the OneSignal client) and through the
// old backend's design (BullMQ on Redis: batches of 1,000 users, concurrency 3, a 1 s pause
// between batches — and once more without the pause, with a broadcast per member as the old
// backend emitted, and with one role event as the dispatcher sends), on the same machine, against
// the same OneSignal stand-in and the same database.
//
//   deno run -A bench/notifications/run.ts [--recipients 100000] [--rounds 3] [--db-url URL]
//     [--redis-port 56379] [--skip-bullmq]
//
// The database is the dev platform's (LOCAL_PLATFORM_PORT_OFFSET shifts it); the recipients are
// candidates located in "Benchville" (created on the first run, with email off so the workload is
// in-app + push). The dispatcher runs in this process, exactly the code the queue-worker Edge
// Function runs; the message is claimed in the transaction that enqueues it, so the platform's own
// worker does not race for it. Redis is Debian's redis-server (installed with apt if missing),
// started here on a scratch port. The machine may be shared: the dispatcher and both BullMQ runs
// without its pause are run --rounds times, one after the other, and compared round by round
// (the paused run, ten times slower, once). Prints a table of every run, the spread of the rounds, and where
// the dispatcher's fan-out spent its time (its own measures: the processor's timings); writes
// bench/results/notifications.json.

import postgres from "postgres";
import { startOneSignalStandIn } from "../../local/onesignal/server.ts";
import { describeReference, referenceQueryMs } from "../_support/machine_speed.ts";
import { printTable, writeResults } from "../_support/stats.ts";
import { envFrom } from "../../supabase/functions/_shared/platform.ts";
import {
  type DispatchTimings,
  processNotifications,
} from "../../supabase/functions/queue-worker/processors/notifications.ts";

const BENCH_LOCATION = "Benchville";
const OLD_BATCH_SIZE = 1_000;
const OLD_CONCURRENCY = 3;
const OLD_PAUSE_MS = 1_000;

interface Options {
  recipients: number;
  rounds: number;
  databaseUrl: string;
  redisPort: number;
  skipBullmq: boolean;
}

function parseOptions(args: string[]): Options {
  const offset = Number(Deno.env.get("LOCAL_PLATFORM_PORT_OFFSET") ?? "0");
  const options: Options = {
    recipients: 100_000,
    rounds: 3,
    databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${54322 + offset}/postgres`,
    redisPort: 56379 + offset,
    skipBullmq: false,
  };
  for (let index = 0; index < args.length; index++) {
    const [flag, value] = [args[index], args[index + 1]];
    if (flag === "--recipients") options.recipients = Number(value), index++;
    else if (flag === "--rounds") options.rounds = Number(value), index++;
    else if (flag === "--db-url") options.databaseUrl = value, index++;
    else if (flag === "--redis-port") options.redisPort = Number(value), index++;
    else if (flag === "--skip-bullmq") options.skipBullmq = true;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

interface RunResult {
  system: string;
  round: number;
  recipients: number;
  inAppRows: number;
  oneSignalRequests: number;
  seconds: number;
  recipientsPerSecond: number;
  /** The dispatcher's own account of the bench request (processNotifications' timings). */
  timings?: DispatchTimings;
}

/**
 * Makes sure `count` Benchville candidates exist (push on, email off); returns their ids. They are
 * written with triggers off (session_replication_role = replica), as local/platform/seed_large.ts
 * does: the rows of the sign-up trigger are written here, and the matching pipeline is not asked
 * to match 100,000 candidates.
 */
async function benchRecipients(sql: postgres.Sql, count: number): Promise<string[]> {
  const existing = async () =>
    (await sql<{ id: string }[]>`
      select id from public.candidates where location = ${BENCH_LOCATION} order by id`)
      .map((row) => row.id);
  const missing = count - (await existing()).length;
  if (missing > 0) {
    console.log(`Creating ${missing} ${BENCH_LOCATION} candidates…`);
    const run = crypto.randomUUID().slice(0, 8);
    await sql.begin(async (transaction) => {
      await transaction`set local session_replication_role = replica`;
      await transaction`
        create temporary table bench_users on commit drop as
        select gen_random_uuid() as id, n from generate_series(1, ${missing}::int) as n`;
      await transaction`
        insert into auth.users (
          instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
          raw_app_meta_data, raw_user_meta_data, created_at, updated_at
        )
        select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated',
          format('bench-notify-%s-%s@bench.emploi.test', ${run}::text, n), '', now(),
          '{"provider": "email", "providers": ["email"]}',
          jsonb_build_object('role', 'candidate', 'full_name', 'Bench ' || n), now(), now()
        from bench_users`;
      await transaction`
        insert into public.profiles (id, role, full_name)
        select id, 'candidate', 'Bench ' || n from bench_users`;
      await transaction`
        insert into public.candidates (id, location) select id, ${BENCH_LOCATION} from bench_users`;
      await transaction`
        insert into public.notification_preferences (user_id, email_enabled)
        select id, false from bench_users`;
    });
    // Statistics as autovacuum would leave them: the audience is planned for 100,000 members.
    await sql`analyze public.profiles, public.candidates, public.notification_preferences`;
  }
  return (await existing()).slice(0, count);
}

/**
 * Removes the in-app rows and the Realtime messages of earlier runs, so that every run writes
 * into tables of the same size (each run adds 100,000 broadcasts to today's partition: left
 * there, the later runs and peers would write into an ever larger index).
 */
async function clearInbox(sql: postgres.Sql, ids: string[]): Promise<void> {
  await sql`delete from public.notifications where user_id = any(${ids}::uuid[])`;
  await sql`
    delete from realtime.messages as message
    using unnest(${ids}::uuid[]) as recipient (id)
    where message.topic = 'user:' || recipient.id
      and message.extension = 'broadcast' and message.private and message.event = 'notification'
      and message.inserted_at > now() - interval '1 hour'`;
  await sql`vacuum analyze public.notifications, realtime.messages`;
}

async function runDispatcher(
  sql: postgres.Sql,
  expected: number,
  round: number,
): Promise<RunResult> {
  const oneSignal = startOneSignalStandIn();
  const env = envFrom({
    ONESIGNAL_API_URL: oneSignal.url,
    ONESIGNAL_APP_ID: oneSignal.appId,
    ONESIGNAL_REST_API_KEY: oneSignal.apiKey,
  });
  try {
    const started = performance.now();
    const messages = await sql.begin(async (transaction) => {
      await transaction`
        select private.request_notification(
          p_type => 'system', p_title => 'Benchmark', p_body => 'Fan-out to every Benchville candidate',
          p_role => 'candidate', p_filters => ${
        transaction.json({ location: BENCH_LOCATION })
      }::jsonb
        )`;
      return await transaction`
        select msg_id, read_ct, enqueued_at, message
        from pgmq.read('notifications', 120, 100)`;
    });
    for (const message of messages) message.msg_id = Number(message.msg_id);
    const dispatched: DispatchTimings[] = [];
    const failures = await processNotifications(
      { env, sql, visibilityTimeoutSeconds: 120 },
      messages as never,
      (timings) => dispatched.push(timings),
    );
    const seconds = (performance.now() - started) / 1000;
    await sql`select pgmq.delete('notifications', ${messages.map((m) => m.msg_id)}::bigint[])`;
    if (failures.size > 0) throw new Error(`dispatch failed: ${[...failures.values()]}`);
    const requestId = messages.find((message) =>
      message.message.audience?.filters?.location === BENCH_LOCATION
    )!.message.requestId;
    const [request] = await sql`
      select recipient_count, in_app_count from private.notification_requests
      where request_id = ${requestId}`;
    if (request.recipient_count !== expected) {
      console.warn(`audience was ${request.recipient_count}, expected ${expected}`);
    }
    const state = oneSignal.state();
    const pushed = state.notifications.reduce((sum, n) => sum + n.externalIds.length, 0);
    if (pushed !== expected) console.warn(`OneSignal reached ${pushed}, expected ${expected}`);
    return {
      system: "Supabase dispatcher (pgmq + SQL + fetch)",
      round,
      recipients: request.recipient_count,
      inAppRows: request.in_app_count,
      oneSignalRequests: state.requests.length,
      seconds,
      recipientsPerSecond: request.recipient_count / seconds,
      timings: dispatched.find((timings) => timings.requestId === requestId),
    };
  } finally {
    await oneSignal.close();
  }
}

/** Debian's redis-server on a scratch port, installed with apt when missing. */
async function startRedis(port: number): Promise<Deno.ChildProcess> {
  const installed = await new Deno.Command("sh", { args: ["-c", "command -v redis-server"] })
    .output();
  if (!installed.success) {
    console.log("Installing redis-server (apt)…");
    for (const args of [["update"], ["install", "-y", "redis-server"]]) {
      const result = await new Deno.Command("apt-get", { args, stdout: "null" }).output();
      if (!result.success) throw new Error(`apt-get ${args.join(" ")} failed`);
    }
  }
  const redis = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  for (let tries = 0; tries < 50; tries++) {
    try {
      (await Deno.connect({ port, hostname: "127.0.0.1" })).close();
      return redis;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

/**
 * The old backend's fan-out: the audience is read, cut into batches of 1,000 jobs on a BullMQ
 * queue; a worker with concurrency 3 writes each batch's in-app rows (the same SQL as the
 * dispatcher: rows + realtime.send), sends one OneSignal request per batch, then pauses.
 * With `roleEvent`, the batches write no broadcast per member and one `inbox` event on the role's
 * topic follows the last batch, as this dispatcher tells a role's large fan-out: the peer that does
 * the same Realtime work.
 */
async function runBullmq(
  sql: postgres.Sql,
  ids: string[],
  redisPort: number,
  pauseMs: number,
  round: number,
  roleEvent = false,
): Promise<RunResult> {
  // The old backend's stack, used by this benchmark only: pinned here rather than in deno.json.
  // deno-lint-ignore no-import-prefix
  const { Queue, Worker, QueueEvents } = await import("npm:bullmq@6.7.0");
  // deno-lint-ignore no-import-prefix
  const { Redis } = await import("npm:ioredis@5.11.1");
  // BullMQ 6 takes ready-made ioredis clients in ESM; one per queue object, as it recommends.
  const clients: InstanceType<typeof Redis>[] = [];
  const connection = () => {
    const client = new Redis({ host: "127.0.0.1", port: redisPort, maxRetriesPerRequest: null });
    clients.push(client);
    return client;
  };
  const queueName = `notification-${crypto.randomUUID().slice(0, 8)}`;
  const oneSignal = startOneSignalStandIn();
  const queue = new Queue(queueName, { connection: connection() });
  const events = new QueueEvents(queueName, { connection: connection() });
  await events.waitUntilReady();
  let completed = 0;
  let failed = 0;
  const batches = Math.ceil(ids.length / OLD_BATCH_SIZE);
  const allDone = new Promise<void>((resolve) => {
    const check = () => (completed + failed === batches) && resolve();
    events.on("completed", () => (completed++, check()));
    events.on("failed", () => (failed++, check()));
  });
  const worker = new Worker(queueName, async (job: { data: { userIds: string[] } }) => {
    const userIds = job.data.userIds;
    const broadcastPerMember = !roleEvent;
    // A false pseudo-constant condition gates the join: realtime.send is not called, while the
    // data-modifying CTE still writes every row.
    await sql`
      with in_app as (
        insert into public.notifications (user_id, type, title, body)
        select id, 'system', 'Benchmark', 'Fan-out to every Benchville candidate'
        from unnest(${userIds}::uuid[]) as id
        returning id, user_id, type, title, body, created_at
      )
      select count(*) from in_app
      cross join lateral realtime.send(
        jsonb_build_object('id', in_app.id, 'type', in_app.type, 'title', in_app.title,
          'body', in_app.body, 'created_at', in_app.created_at),
        'notification', 'user:' || in_app.user_id, true) as sent
      where ${broadcastPerMember}`;
    const response = await fetch(`${oneSignal.url}/notifications`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Key ${oneSignal.apiKey}` },
      body: JSON.stringify({
        app_id: oneSignal.appId,
        include_aliases: { external_id: userIds },
        target_channel: "push",
        headings: { en: "Benchmark" },
        contents: { en: "Fan-out to every Benchville candidate" },
      }),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`OneSignal answered ${response.status}`);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }, { connection: connection(), concurrency: OLD_CONCURRENCY });
  try {
    const started = performance.now();
    const audience = await sql<{ id: string }[]>`
      select profile.id from public.profiles as profile
      join public.candidates as candidate on candidate.id = profile.id
      where profile.role = 'candidate' and candidate.location = ${BENCH_LOCATION}`;
    const audienceIds = audience.map((row) => row.id);
    const jobs = [];
    for (let first = 0; first < audienceIds.length; first += OLD_BATCH_SIZE) {
      jobs.push({
        name: "batch",
        data: { userIds: audienceIds.slice(first, first + OLD_BATCH_SIZE) },
        opts: { attempts: 3, backoff: { type: "exponential", delay: 1000 } },
      });
    }
    await queue.addBulk(jobs);
    await allDone;
    if (roleEvent) {
      await sql`select realtime.send(
        jsonb_build_object('type', 'system', 'title', 'Benchmark'), 'inbox', 'role:candidate', true)`;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      system: `BullMQ + Redis (1,000/batch, concurrency 3${pauseMs ? ", 1 s pause" : ", no pause"}${
        roleEvent ? ", one role event" : ""
      })`,
      round,
      recipients: audienceIds.length,
      inAppRows: completed * OLD_BATCH_SIZE,
      oneSignalRequests: oneSignal.state().requests.length,
      seconds,
      recipientsPerSecond: audienceIds.length / seconds,
    };
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    // Clients we made are ours to close (BullMQ only closes the connections it creates).
    await Promise.all(clients.map((client) => client.quit()));
    await oneSignal.close();
  }
}

/** Median, min and max of the rounds' figures. */
function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    median: sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/**
 * Where one fan-out's time went, from the dispatcher's timings. Preparing comes first; then the
 * in-app chunks (rows, then their Realtime messages) run in parallel lanes beside the OneSignal
 * requests: a phase's wall share is its busy time over its lanes; OneSignal overlaps the in-app
 * writes; "other" is what the critical path spent outside the phases (round trips, statuses,
 * commits, finishing, the queue read).
 */
function breakdown(run: RunResult) {
  const timings = run.timings!;
  const totalMs = run.seconds * 1000;
  const lanes = Math.max(1, timings.inAppLanes);
  const oneSignalLanes = Math.max(1, timings.oneSignalLanes);
  const inAppPath = timings.inAppChunksMs / lanes;
  const oneSignalPath = timings.oneSignalMs / oneSignalLanes;
  const otherMs = totalMs - timings.preparingMs -
    (timings.inAppRowsMs + timings.broadcastsMs) / lanes;
  const row = (
    phase: string,
    busyMs: number,
    phaseLanes: number,
    wallMs: number,
    note: string,
  ) => ({
    phase,
    "busy ms": busyMs,
    lanes: phaseLanes,
    "wall ms": wallMs,
    "% of total": (100 * wallMs) / totalMs,
    note,
  });
  return [
    row(
      "preparing",
      timings.preparingMs,
      1,
      timings.preparingMs,
      "audience, preferences, chunks stored (one transaction)",
    ),
    row(
      "in-app rows",
      timings.inAppRowsMs,
      lanes,
      timings.inAppRowsMs / lanes,
      `${timings.inAppRows} public.notifications rows (one insert … select per chunk; with ` +
        "their broadcasts' payloads when sent member by member)",
    ),
    row(
      "realtime messages",
      timings.broadcastsMs,
      lanes,
      timings.broadcastsMs / lanes,
      `${timings.broadcasts} realtime.messages row(s): one per member (private.send_broadcasts, ` +
        "one call per chunk), or a role's one inbox event with the last chunk",
    ),
    row(
      "OneSignal",
      timings.oneSignalMs,
      oneSignalLanes,
      oneSignalPath,
      `${timings.oneSignalRequests} requests + attempts recorded; beside the in-app lanes`,
    ),
    row(
      "other",
      Math.max(0, otherMs),
      1,
      Math.max(0, otherMs),
      `in-app path ${Math.round(inAppPath)} ms incl. statuses and commits; finishing ` +
        `${Math.round(timings.finishingMs)} ms; queue read`,
    ),
    row("total", totalMs, 1, totalMs, `delivering ${Math.round(timings.deliveringMs)} ms`),
  ];
}

const options = parseOptions(Deno.args);
const sql = postgres(options.databaseUrl, { max: 8, onnotice: () => {} });
const results: RunResult[] = [];
let redis: Deno.ChildProcess | undefined;
const referenceBefore = await referenceQueryMs(sql);
let referenceAfter = 0;
try {
  const ids = await benchRecipients(sql, options.recipients);
  if (ids.length < options.recipients) throw new Error("not enough bench recipients");
  if (!options.skipBullmq) redis = await startRedis(options.redisPort);

  for (let round = 1; round <= options.rounds; round++) {
    await clearInbox(sql, ids);
    console.log(`Round ${round}: dispatching one notification to ${ids.length} recipients…`);
    results.push(await runDispatcher(sql, ids.length, round));
    if (options.skipBullmq) continue;
    await clearInbox(sql, ids);
    console.log(`Round ${round}: BullMQ fan-out to ${ids.length} recipients (no pause)…`);
    results.push(await runBullmq(sql, ids, options.redisPort, 0, round));
    await clearInbox(sql, ids);
    console.log(`Round ${round}: BullMQ fan-out, no pause, one role event…`);
    results.push(await runBullmq(sql, ids, options.redisPort, 0, round, true));
  }
  if (!options.skipBullmq) {
    await clearInbox(sql, ids);
    console.log(`BullMQ fan-out to ${ids.length} recipients (pause ${OLD_PAUSE_MS} ms)…`);
    results.push(await runBullmq(sql, ids, options.redisPort, OLD_PAUSE_MS, 1));
  }
  await clearInbox(sql, ids);
  referenceAfter = await referenceQueryMs(sql);
} finally {
  redis?.kill("SIGTERM");
  await redis?.status;
  await sql.end();
}

const ours = results.filter((result) => result.timings);
const bullmqNoPause = results.filter((result) => result.system.endsWith("no pause)"));
const bullmqRoleEvent = results.filter((result) => result.system.endsWith("one role event)"));
const ratiosTo = (peers: RunResult[]) =>
  ours.flatMap((result) => {
    const peer = peers.find((candidate) => candidate.round === result.round);
    return peer ? [result.recipientsPerSecond / peer.recipientsPerSecond] : [];
  });
const oursMedian = spread(ours.map((result) => result.recipientsPerSecond)).median;
printTable(results.map((result) => ({
  system: result.system,
  round: result.round,
  recipients: result.recipients,
  "in-app rows": result.inAppRows,
  "OneSignal requests": result.oneSignalRequests,
  "total s": result.seconds,
  "recipients/s": Math.round(result.recipientsPerSecond),
  "dispatcher ×": oursMedian / result.recipientsPerSecond,
})));

const ratios = ratiosTo(bullmqNoPause);
const summary = [
  {
    figure: "dispatcher recipients/s",
    ...spread(ours.map((result) => result.recipientsPerSecond)),
  },
  ...(bullmqNoPause.length
    ? [
      {
        figure: "BullMQ no pause recipients/s",
        ...spread(bullmqNoPause.map((result) => result.recipientsPerSecond)),
      },
      { figure: "dispatcher ÷ BullMQ no pause (same round)", ...spread(ratios) },
      {
        figure: "BullMQ no pause, one role event recipients/s",
        ...spread(bullmqRoleEvent.map((result) => result.recipientsPerSecond)),
      },
      {
        figure: "dispatcher ÷ BullMQ no pause, one role event (same round)",
        ...spread(ratiosTo(bullmqRoleEvent)),
      },
    ]
    : []),
];
console.log(`\n${describeReference(referenceBefore, referenceAfter)}`);
console.log(`\nOver ${options.rounds} round(s):`);
printTable(summary);

const median = ours.toSorted((a, b) => a.recipientsPerSecond - b.recipientsPerSecond)[
  (ours.length - 1) >> 1
];
console.log(`\nWhere the dispatcher's fan-out spent its time (round ${median.round}, the median):`);
printTable(breakdown(median));
console.log(
  `\nTargets: ≥ 50,000 recipients/s and ≥ 1.5× BullMQ without its pause (same round). ` +
    `Dispatcher: ${Math.round(oursMedian)}/s` +
    (ratios.length ? `, ${spread(ratios).median.toFixed(2)}× (median of the rounds).` : "."),
);
const path = await writeResults("notifications", {
  recipients: options.recipients,
  rounds: options.rounds,
  oldBackendSettings: {
    batchSize: OLD_BATCH_SIZE,
    concurrency: OLD_CONCURRENCY,
    pauseMs: OLD_PAUSE_MS,
  },
  summary,
  breakdown: breakdown(median),
  results,
}, { referenceQueryMs: { before: referenceBefore, after: referenceAfter } });
console.log(`Results written to ${path}`);
