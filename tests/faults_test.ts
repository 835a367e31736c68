// Faults lose nothing (SPEC §1): each case creates real work (offers to match, posts to moderate,
// notifications to deliver), breaks one part of the platform while it flows, and then checks
// every effect: present exactly once, none missing. The cases overlap in time so that the suite
// takes about four minutes:
//
//   0 s ─ pg_net worker stopped (SIGSTOP) 60 s ─┬─ poison ─┬─ Postgres SIGKILL, restart, recovery
//   0 s ─ worker process killed mid-batch       │          │  (job_matching's 120 s visibility)
//   0 s ─ OneSignal 503 for 120 s ──────────────┴──────────┴─ replay of its dead letters ─
//
// It prints `N events, N processed exactly once, 0 lost` per case and fails on any loss or
// duplicate. Postgres is killed and restarted through the platform's own LocalPostgres (the same
// data directory, wherever the platform keeps it); the pg_net worker through the pid file the
// platform writes (the case is skipped where the real pg_net runs inside Postgres).

import assert from "node:assert/strict";
import { environments } from "../local/platform/environments.ts";
import { postgresOf } from "../local/platform/database.ts";
import { netWorkerPidFile } from "../local/platform/platform.ts";
import { envFrom } from "../supabase/functions/_shared/platform.ts";
import { processBatch } from "../supabase/functions/_shared/queue.ts";
import { jobMatchingProcessor } from "../supabase/functions/queue-worker/processors/job_matching.ts";
import { serviceClient, sql } from "./_support/platform.ts";
import { holdLocks, spawnJobMatchingWorker } from "./_support/queue_faults.ts";
import { createMembers, reachedByChannel, standIn } from "./notifications/support.ts";

const options = { sanitizeResources: false, sanitizeOps: false };
const environment = environments[
  Deno.env.get("LOCAL_PLATFORM_ENVIRONMENT") === "test" ? "test" : "dev"
];
const PG_NET_DOWN_MS = 60_000;
const ONESIGNAL_DOWN_MS = 120_000;

interface CaseResult {
  fault: string;
  events: number;
  once: number;
  lost: number;
  duplicated: number;
  note: string;
}

const results: CaseResult[] = [];

// When the server dies under a query it is still writing, postgres.js 3.4 throws from a timer
// (connection.js nextWrite: the socket is already gone). Its pool reconnects by itself, so that
// one error must not end the suite.
addEventListener("error", (event) => {
  if (event.error instanceof TypeError && /reading 'write'/.test(event.error.message)) {
    event.preventDefault();
  }
});

function record(result: CaseResult) {
  results.push(result);
  console.log(
    `${result.fault}: ${result.events} events, ${result.once} processed exactly once, ` +
      `${result.lost} lost, ${result.duplicated} duplicated (${result.note})`,
  );
}

/** Polls until `check` returns a value; database errors (a restarting server) count as "not yet". */
async function until<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${lastError ?? ""})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Work of each kind, created as the product creates it (triggers enqueue and ring the doorbell).

/** `count` published offers asking for a fresh skill, and `candidates` candidates holding it. */
async function offersWithCandidates(count: number, candidates: number) {
  const skill = `fault-${crypto.randomUUID().slice(0, 8)}`;
  const [companies, candidateIds] = await Promise.all([
    createMembers(count, { role: "company" }),
    // No job alerts: this work must not depend on OneSignal, which one case takes down.
    createMembers(candidates, { skills: [skill], preferences: { job_alerts_enabled: false } }),
  ]);
  const jobs = await sql<{ id: string }[]>`
    insert into public.jobs (company_id, title, required_skills)
    select company_id, 'Offre ' || ${skill}::text, array[${skill}::text]
    from unnest(${companies}::uuid[]) as company_id
    returning id`;
  const jobIds = jobs.map((job) => job.id);
  return { jobIds, candidateIds, publish: () => publish(jobIds) };
}

async function publish(jobIds: string[]) {
  await sql`
    update public.jobs set status = 'published', published_at = now()
    where id = any (${jobIds}::uuid[])`;
}

/** Offers fully matched: analysed, and each of the candidates matched once. */
async function matchedOffers(jobIds: string[], candidateIds: string[]): Promise<number> {
  const [{ matched }] = await sql`
    select count(*)::int as matched from public.jobs as job
    where job.id = any (${jobIds}::uuid[]) and job.analysis_completed
      and (select count(*) from public.job_matches as match
           where match.job_id = job.id and match.candidate_id = any (${candidateIds}::uuid[]))
        = ${candidateIds.length}`;
  return matched;
}

/** `count` posts by as many authors (one author's repeated posts would look like spam). */
async function createPosts(count: number): Promise<string[]> {
  const authors = await createMembers(count);
  const posts = await sql<{ id: string }[]>`
    insert into public.posts (author_id, content)
    select author, 'Bonjour, je partage mon expérience de recherche d''emploi'
    from unnest(${authors}::uuid[]) as author
    returning id`;
  return posts.map((post) => post.id);
}

/** Posts whose moderation verdict was applied. */
async function moderatedPosts(postIds: string[]): Promise<number> {
  const [{ moderated }] = await sql`
    select count(*)::int as moderated from public.posts
    where id = any (${postIds}::uuid[]) and moderated_at is not null`;
  return moderated;
}

/** Enqueues a notification request to `members` (through private.enqueue, doorbell included). */
async function requestNotification(members: string[], title: string): Promise<string> {
  const requestId = crypto.randomUUID();
  await sql`select private.enqueue('notifications', ${
    sql.json({
      requestId,
      type: "system",
      title,
      body: "Test de panne",
      data: {},
      audience: { userIds: members },
    })
  }::jsonb)`;
  return requestId;
}

/** Inbox rows per request: [rows, distinct recipients]. */
async function inboxOf(requestIds: string[]): Promise<{ rows: number; recipients: number }> {
  const [counts] = await sql`
    select count(*)::int as rows, count(distinct (request_id, user_id))::int as recipients
    from public.notifications where request_id = any (${requestIds}::uuid[])`;
  return { rows: counts.rows, recipients: counts.recipients };
}

const inAppOnly = { preferences: { push_enabled: false, email_enabled: false } };

// The cases.

async function pgNetDownCase(): Promise<void> {
  const pidFile = netWorkerPidFile(environment);
  let pid: number;
  try {
    pid = Number(await Deno.readTextFile(pidFile));
  } catch {
    record({
      fault: "pg_net worker down 60 s",
      events: 0,
      once: 0,
      lost: 0,
      duplicated: 0,
      note: "not run: the real pg_net runs inside Postgres here",
    });
    return;
  }
  const offers = await offersWithCandidates(3, 5);
  const members = await createMembers(50, inAppOnly);
  Deno.kill(pid, "SIGSTOP");
  const stoppedAt = Date.now();
  let requestIds: string[] = [];
  let postIds: string[] = [];
  try {
    await offers.publish();
    postIds = await createPosts(5);
    requestIds = [
      await requestNotification(members, "Panne pg_net 1"),
      await requestNotification(members, "Panne pg_net 2"),
    ];
    await sleep(12_000);
    // Two sweeps later, nothing moved: every doorbell waits in net.http_request_queue.
    assert.equal(await moderatedPosts(postIds), 0, "nothing is processed while pg_net is down");
    await sleep(PG_NET_DOWN_MS - (Date.now() - stoppedAt));
  } finally {
    Deno.kill(pid, "SIGCONT");
  }
  await until(
    async () => {
      const inbox = await inboxOf(requestIds);
      return await moderatedPosts(postIds) === postIds.length &&
          await matchedOffers(offers.jobIds, offers.candidateIds) === offers.jobIds.length &&
          inbox.recipients === requestIds.length * members.length
        ? true
        : undefined;
    },
    "the work created while pg_net was down",
    60_000,
  );
  const inbox = await inboxOf(requestIds);
  const events = offers.jobIds.length + postIds.length + requestIds.length * members.length;
  const once = await matchedOffers(offers.jobIds, offers.candidateIds) +
    await moderatedPosts(postIds) + inbox.recipients;
  record({
    fault: "pg_net worker down 60 s",
    events,
    once,
    lost: events - once,
    duplicated: inbox.rows - inbox.recipients,
    note: `SIGSTOP for ${PG_NET_DOWN_MS / 1000} s: 3 offers, 5 posts, 2 requests × 50 inboxes; ` +
      `done ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s after the stop`,
  });
}

async function workerKilledCase(): Promise<void> {
  const queue = `fault_job_matching_${crypto.randomUUID().slice(0, 8)}`;
  await sql`select pgmq.create(${queue}), pgmq.create(${queue + "_dlq"})`;
  try {
    // Offers published with triggers off: only this case's queue knows them.
    const offers = await offersWithCandidates(8, 3);
    await sql.begin(async (transaction) => {
      await transaction`set local session_replication_role = replica`;
      await transaction`
        update public.jobs set status = 'published', published_at = now()
        where id = any (${offers.jobIds}::uuid[])`;
    });
    await sql`
      select pgmq.send_batch(${queue}, array(
        select jsonb_build_object('jobId', job_id)
        from unnest(${offers.jobIds}::uuid[]) with ordinality as job (job_id, position)
        order by job.position))`;
    // The second offer of the first batch is locked: the worker blocks in the middle of it.
    const lock = await holdLocks((transaction) =>
      transaction`select 1 from public.jobs where id = ${offers.jobIds[1]} for update`
    );
    const worker = spawnJobMatchingWorker(queue);
    await until(
      async () => {
        const [waiting] = await sql`
        select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%rematch%'`;
        return waiting ? true : undefined;
      },
      "the worker blocked in the middle of its batch",
      30_000,
    );
    worker.kill("SIGKILL");
    await worker.status;
    await lock.release();
    // The next worker (here, this process) gets the batch back after its visibility timeout.
    await until(
      async () => {
        await processBatch({ env: envFrom({}), sql }, {
          ...jobMatchingProcessor,
          queue,
          visibilityTimeoutSeconds: 2,
        });
        return await matchedOffers(offers.jobIds, offers.candidateIds) === offers.jobIds.length
          ? true
          : undefined;
      },
      "the batch to be processed by the next worker",
      30_000,
    );
    const once = await matchedOffers(offers.jobIds, offers.candidateIds);
    const [{ left }] = await sql.unsafe(
      `select (select count(*) from pgmq.q_${queue})::int + (select count(*) from pgmq.q_${queue}_dlq)::int as left`,
    );
    assert.equal(left, 0, "nothing left in the queue or its dead-letter queue");
    record({
      fault: "queue-worker process killed mid-batch",
      events: offers.jobIds.length,
      once,
      lost: offers.jobIds.length - once,
      duplicated: 0,
      note: "SIGKILL while matching its 2nd offer of 4; the batch comes back after 2 s",
    });
  } finally {
    await sql`select pgmq.drop_queue(${queue}), pgmq.drop_queue(${queue + "_dlq"})`;
  }
}

async function poisonCase(): Promise<void> {
  const poison: Record<string, Record<string, unknown>> = {
    job_matching: { jobId: "not-a-uuid" },
    candidate_matching: { candidateId: "not-a-uuid" },
    post_moderation: { postId: 7 },
    notifications: { requestId: "not-a-uuid", audience: {} },
  };
  const marker = crypto.randomUUID();
  for (const [queue, message] of Object.entries(poison)) {
    await sql`select private.enqueue(${queue}, ${sql.json({ ...message, marker })}::jsonb)`;
  }
  // Good work beside the poison, in the same queues.
  const offers = await offersWithCandidates(1, 2);
  await offers.publish();
  const postIds = await createPosts(2);
  const members = await createMembers(10, inAppOnly);
  const requestId = await requestNotification(members, "À côté du poison");

  const attempts = await until(
    async () => {
      const rows = await sql<{ queue: string; attempts: number }[]>`
      select dead.queue, dead.attempts from (
        select 'job_matching' as queue, message from pgmq.q_job_matching_dlq
        union all select 'candidate_matching', message from pgmq.q_candidate_matching_dlq
        union all select 'post_moderation', message from pgmq.q_post_moderation_dlq
        union all select 'notifications', message from pgmq.q_notifications_dlq
      ) as letter
      cross join lateral (
        select letter.queue, coalesce((letter.message ->> 'attempts')::int, 0) as attempts
      ) as dead
      where letter.message -> 'message' ->> 'marker' = ${marker}`;
      return rows.length === 4
        ? Object.fromEntries(rows.map((row) => [row.queue, row.attempts]))
        : undefined;
    },
    "every poison message in its dead-letter queue",
    60_000,
  );
  await until(
    async () => {
      const inbox = await inboxOf([requestId]);
      return await matchedOffers(offers.jobIds, offers.candidateIds) === 1 &&
          await moderatedPosts(postIds) === 2 &&
          inbox.recipients === members.length
        ? true
        : undefined;
    },
    "the good work beside the poison",
    30_000,
  );
  for (const queue of Object.keys(poison)) {
    assert.equal(attempts[queue], 3, `${queue}: dead-lettered after 3 attempts`);
  }
  const inbox = await inboxOf([requestId]);
  const good = 1 + postIds.length + members.length;
  const once = await matchedOffers(offers.jobIds, offers.candidateIds) +
    await moderatedPosts(postIds) + inbox.recipients;
  record({
    fault: "a poison message in every queue",
    events: good + 4,
    once: once + Object.keys(attempts).length,
    lost: good - once,
    duplicated: inbox.rows - inbox.recipients,
    note: `4 poison messages dead-lettered after ${
      [...new Set(Object.values(attempts))].join("/")
    } attempts each, beside 1 offer, 2 posts, 10 inboxes that flowed`,
  });
}

async function oneSignalDownCase(): Promise<void> {
  const oneSignal = standIn();
  await oneSignal.reset();
  const members = await createMembers(100, { preferences: { email_enabled: false } });
  await oneSignal.setFaults({ failureRate: 1, failureStatuses: [503] });
  const downAt = Date.now();
  const requestIds: string[] = [];
  try {
    for (let n = 1; n <= 3; n++) {
      requestIds.push(await requestNotification(members, `Panne OneSignal ${n}`));
    }
    await sleep(ONESIGNAL_DOWN_MS);
  } finally {
    await oneSignal.setFaults({});
  }
  // Messages that used their three attempts wait in the dead-letter queue: an operator replays
  // them once the provider is back (what queue-health's dead letters call for).
  let replayed = 0;
  await until(
    async () => {
      const dead = await sql<{ msg_id: string }[]>`
      select msg_id from pgmq.q_notifications_dlq
      where message -> 'message' ->> 'requestId' = any (${requestIds})`;
      if (dead.length > 0) {
        const { data, error } = await serviceClient().rpc("replay_dead_letters", {
          p_queue: "notifications",
          p_msg_ids: dead.map((row) => Number(row.msg_id)),
        });
        if (error) throw new Error(error.message);
        replayed += data;
      }
      const [{ completed }] = await sql`
      select count(*)::int as completed from private.notification_requests
      where request_id = any (${requestIds}::uuid[]) and completed_at is not null`;
      return completed === requestIds.length ? true : undefined;
    },
    "the notifications to be delivered once OneSignal is back",
    120_000,
  );

  const state = await oneSignal.state();
  let once = 0;
  let duplicated = 0;
  for (const requestId of requestIds) {
    const pushed = reachedByChannel(state.notifications, requestId).push;
    const distinct = new Set(pushed);
    once += [...distinct].filter((id) => members.includes(id)).length;
    duplicated += pushed.length - distinct.size;
  }
  const inbox = await inboxOf(requestIds);
  const events = requestIds.length * members.length;
  const failuresInjected =
    state.requests.filter((request) => request.outcome === "injected_failure")
      .length;
  record({
    fault: "OneSignal 503 for two minutes",
    events,
    once,
    lost: events - once,
    duplicated: duplicated + inbox.rows - inbox.recipients,
    note: `${ONESIGNAL_DOWN_MS / 1000} s of 503 (${failuresInjected} requests refused), ` +
      `3 requests × 100 push recipients; ${replayed} dead letters replayed after recovery, ` +
      `delivered ${((Date.now() - downAt) / 1000).toFixed(0)} s after the outage began`,
  });
  assert.equal(inbox.recipients, events, "every in-app notification delivered once too");
}

/** Every process of the server, postmaster first: what the kernel's OOM killer or a crash does. */
async function killPostgres(): Promise<void> {
  const postgres = postgresOf(environment);
  const postmaster = Number(
    (await Deno.readTextFile(`${postgres.dataDir}/postmaster.pid`))
      .split("\n")[0],
  );
  // Only this platform's server: the pid file names it, its command line must name its directory.
  const command = await Deno.readTextFile(`/proc/${postmaster}/cmdline`).catch(() => "");
  assert.ok(
    command.includes(postgres.dataDir),
    `${postmaster} is not ${postgres.dataDir}'s server`,
  );
  const server = [postmaster];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue;
    }
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent === postmaster) server.push(Number(entry.name));
  }
  for (const pid of server) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* already gone */ }
  }
  // The server is down once pg_ctl says so: a killed process counts as running until it is reaped.
  while (await postgres.isRunning()) await sleep(200);
  console.log(`killed the ${server.length} processes of Postgres; restarting it`);
  await postgres.start();
}

async function postgresKilledCase(): Promise<void> {
  const offers = await offersWithCandidates(1, 30);
  const members = await createMembers(500, inAppOnly);
  // The offer is published with triggers off, and its job_matching message (the one the trigger
  // writes) sent once its row and the inbox are held: matching and the notification batch are
  // then both under way (read from their queues, blocked in their work) when the server dies.
  await sql.begin(async (transaction) => {
    await transaction`set local session_replication_role = replica`;
    await transaction`
      update public.jobs set status = 'published', published_at = now()
      where id = ${offers.jobIds[0]}`;
  });
  const locks = await holdLocks(async (transaction) => {
    await transaction`select 1 from public.jobs where id = ${offers.jobIds[0]} for update`;
    await transaction`lock table public.notifications in share mode`;
  });
  await sql`select private.enqueue('job_matching', ${
    sql.json({ jobId: offers.jobIds[0], reason: "published" })
  }::jsonb)`;
  const requestId = await requestNotification(members, "Panne Postgres");
  await until(
    async () => {
      const waiting = await sql`
      select query from pg_stat_activity
      where wait_event_type = 'Lock' and (query like '%rematch%' or query like '%deliver_in_app_chunk%')`;
      return waiting.length >= 2 ? true : undefined;
    },
    "matching and the notification batch both mid-way",
    30_000,
  );
  const killedAt = Date.now();
  await killPostgres();
  await locks.release();
  const restartedMs = Date.now() - killedAt;
  // The batches come back after their visibility timeouts (job_matching: 120 s).
  await until(
    async () => {
      const inbox = await inboxOf([requestId]);
      return await matchedOffers(offers.jobIds, offers.candidateIds) === 1 &&
          inbox.recipients === members.length
        ? true
        : undefined;
    },
    "matching and notifications after the restart",
    180_000,
  );
  const inbox = await inboxOf([requestId]);
  const once = await matchedOffers(offers.jobIds, offers.candidateIds) + inbox.recipients;
  const events = 1 + members.length;
  record({
    fault: "Postgres SIGKILL mid matching and notification batch",
    events,
    once,
    lost: events - once,
    duplicated: inbox.rows - inbox.recipients,
    note: `postmaster and backends killed, restarted in ${(restartedMs / 1000).toFixed(1)} s; ` +
      `1 offer × 30 candidates, 1 request × 500 inboxes; recovered ${
        ((Date.now() - killedAt) / 1000).toFixed(0)
      } s after the kill`,
  });
}

Deno.test("faults lose nothing", options, async () => {
  const started = Date.now();
  // Whatever happens, the pg_net worker and OneSignal are left running.
  addEventListener("unload", () => {
    try {
      Deno.kill(Number(Deno.readTextFileSync(netWorkerPidFile(environment))), "SIGCONT");
    } catch { /* not stopped, or the real pg_net */ }
  });
  const pgNetThenPostgres = (async () => {
    await pgNetDownCase();
    await poisonCase();
    await postgresKilledCase();
  })();
  // Every case runs to its end (its clean-up included) before the suite reports.
  const outcomes = await Promise.allSettled([
    pgNetThenPostgres,
    workerKilledCase(),
    oneSignalDownCase(),
  ]);

  console.log(`\nfault suite (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  console.log("| fault | events | processed exactly once | lost | duplicated | what ran |");
  console.log("| --- | ---: | ---: | ---: | ---: | --- |");
  for (const result of results) {
    console.log(
      `| ${result.fault} | ${result.events} | ${result.once} | ${result.lost} | ${result.duplicated} | ${result.note} |`,
    );
  }
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") throw outcome.reason;
  }
  for (const result of results) {
    assert.equal(result.lost, 0, `${result.fault}: nothing lost`);
    assert.equal(result.duplicated, 0, `${result.fault}: nothing twice`);
    assert.equal(result.once, result.events, `${result.fault}: everything exactly once`);
  }
});
