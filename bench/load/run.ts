// Load harness: N members online at once on the local stack (docs/capacity.md).
//
// Each member holds one Realtime WebSocket (raw Phoenix frames, as one supabase-js client), with a
// pre-minted access token of its own, joins its private `user:<id>` and `role:<role>` topics and
// the `conversation:<id>` topics of its conversations (authorized by the RLS policies of
// realtime.messages), tracks presence there, heartbeats (`presence_heartbeat`, which announces
// online/offline to contacts), types and sends messages at a realistic rate, and receives
// notifications. Companies publish offers (matched, alerts in-app); one broadcast goes to every
// candidate. 10 % of the members go offline and come back during the window (churn).
//
// Before that, the presence comparison: the same members and churn, measured with the retired
// design (everyone on one `online` Presence topic) and with contacts' status, side by side.
//
// Bounded in time and count, loopback only. Against a running platform (`npm start`):
//   deno run -A bench/load/run.ts --members 10000 [--seconds 60] [--baseline-members 1000]
// Results: bench/results/load.json.

import { parseArgs } from "node:util";
import postgres from "postgres";
import { platform } from "../../tests/_support/platform.ts";
import { environments } from "../../local/platform/environments.ts";
import { serverDirectoryOf } from "../../local/platform/postgres.ts";
import { accessToken } from "../_support/access_token.ts";
import { type DirectConversation, insertDirectConversations } from "../_support/conversations.ts";
import { printTable, summarize, writeResults } from "../_support/stats.ts";
import { type FrameKind, MemberSocket } from "./member_socket.ts";

const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "10000" },
    seconds: { type: "string", default: "60" },
    "baseline-members": { type: "string", default: "1000" },
    conversations: { type: "string", default: "2" },
    offers: { type: "string", default: "10" },
  },
});
const MEMBERS = Number(args.members);
const WINDOW_SECONDS = Number(args.seconds);
const BASELINE_MEMBERS = Math.min(MEMBERS, Number(args["baseline-members"]));
const CONVERSATIONS_PER_CANDIDATE = Number(args.conversations);
const OFFERS = Number(args.offers);
/** One member in ten is a company. */
const COMPANY_SHARE = 0.1;
const HEARTBEAT_SECONDS = 25;
/** A member sends a message every 5 minutes on average, after two typing events. */
const MESSAGE_EVERY_SECONDS = 300;
const TYPING_PER_MESSAGE = 2;
const CHURN_SHARE = 0.1;
const CONNECT_BATCH = 100;
const DELIVERY_GRACE_MS = 10_000;

const sql = postgres(platform.databaseUrl, { max: 8, onnotice: () => {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text: string) => console.error(`▸ ${text}`);

interface Member {
  id: string;
  role: "candidate" | "company";
  token: string;
  conversations: { id: string; otherId: string }[];
  socket?: MemberSocket;
}

// ---------------------------------------------------------------------------------------------
// Set-up: members, their conversations and tokens, in a few set-based statements.

async function createMembers(run: string, count: number): Promise<Member[]> {
  const companies = Math.max(1, Math.round(count * COMPANY_SHARE));
  const rows = await sql<{ id: string; role: Member["role"] }[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
      email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
      'authenticated', format('load-%s-%s@bench.emploi.plus', ${run}::text, n), '', now(),
      '{"provider": "email", "providers": ["email"]}',
      jsonb_build_object('role', case when n <= ${companies} then 'company' else 'candidate' end,
        'full_name', format('Load %s', n)),
      now(), now()
    from generate_series(1, ${count}::int) as n
    returning id, raw_user_meta_data ->> 'role' as role`;
  const members: Member[] = await Promise.all(rows.map(async (row) => ({
    id: row.id,
    role: row.role,
    token: await accessToken(row.id, 7200),
    conversations: [],
  })));
  const companyMembers = members.filter((member) => member.role === "company");
  const pairs: DirectConversation[] = [];
  members.filter((member) => member.role === "candidate").forEach((candidate, index) => {
    for (let k = 0; k < CONVERSATIONS_PER_CANDIDATE; k++) {
      const company = companyMembers[(index + k) % companyMembers.length];
      if (
        pairs.some((pair) => pair.candidate_id === candidate.id && pair.company_id === company.id)
      ) {
        continue;
      }
      pairs.push({
        conversation_id: crypto.randomUUID(),
        candidate_id: candidate.id,
        company_id: company.id,
      });
    }
  });
  await insertDirectConversations(sql, pairs);
  const byId = new Map(members.map((member) => [member.id, member]));
  for (const pair of pairs) {
    byId.get(pair.candidate_id)!.conversations.push({
      id: pair.conversation_id,
      otherId: pair.company_id,
    });
    byId.get(pair.company_id)!.conversations.push({
      id: pair.conversation_id,
      otherId: pair.candidate_id,
    });
  }
  return members;
}

// ---------------------------------------------------------------------------------------------
// Measurements of the platform: database transactions, CPU, connections.

const postmasterPid = Number(
  (await Deno.readTextFile(`${serverDirectoryOf(environments.dev.stateDir)}/pg/postmaster.pid`))
    .split("\n")[0],
);
const CLOCK_TICKS = 100;

/** CPU seconds used so far by the platform's Postgres (postmaster and its children). */
async function postgresCpuSeconds(): Promise<number> {
  let ticks = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(entry.name);
      // utime + stime of the postmaster and its live children, plus what the postmaster reaped
      // from children that ended (cutime + cstime), so that backends ending mid-phase count.
      if (pid === postmasterPid) {
        ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      } else if (Number(fields[1]) === postmasterPid) {
        ticks += Number(fields[11]) + Number(fields[12]);
      }
    } catch { /* the process ended */ }
  }
  return ticks / CLOCK_TICKS;
}

async function databaseCounters() {
  const [row] = await sql<{ transactions: string; connections: string }[]>`
    select
      (select xact_commit + xact_rollback from pg_stat_database where datname = current_database())
        as transactions,
      (select count(*) from pg_stat_activity where datname = current_database()) as connections`;
  return { transactions: Number(row.transactions), connections: Number(row.connections) };
}

/** Runs `phase` and reports the database's transactions, CPU and peak connections during it. */
async function measured<T>(phase: () => Promise<T>) {
  const before = await databaseCounters();
  const cpuBefore = await postgresCpuSeconds();
  let peakConnections = before.connections;
  const sampler = setInterval(async () => {
    peakConnections = Math.max(peakConnections, (await databaseCounters()).connections);
  }, 1000);
  const startedAt = performance.now();
  const result = await phase();
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  const after = await databaseCounters();
  return {
    result,
    seconds,
    transactions: after.transactions - before.transactions,
    databaseCpuSeconds: (await postgresCpuSeconds()) - cpuBefore,
    peakConnections,
  };
}

// ---------------------------------------------------------------------------------------------
// Members' actions.

/** `presence_heartbeat` as PostgREST runs it for the member (role and claims of their token). */
async function heartbeat(member: Member, online = true): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
      set_config('request.jwt.claims', ${
      JSON.stringify({ sub: member.id, role: "authenticated" })
    }, true)`;
    await tx`select public.presence_heartbeat(${online})`;
  });
}

async function rest(
  path: string,
  token: string,
  body: unknown,
  prefer?: string,
): Promise<Response> {
  const response = await fetch(`${platform.url}/rest/v1/${path}`, {
    method: "POST",
    headers: {
      apikey: platform.publishableKey,
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...(prefer ? { prefer } : {}),
    },
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response;
}

/**
 * Connects every member, joining its user and role topics (a role's large fan-out is told there)
 * and its conversations, CONNECT_BATCH at once.
 */
async function connectAll(members: Member[], withPresence: boolean) {
  const joinLatencies: number[] = [];
  let refused = 0;
  for (let start = 0; start < members.length; start += CONNECT_BATCH) {
    await Promise.all(
      members.slice(start, start + CONNECT_BATCH).map(async (member) => {
        try {
          member.socket = await MemberSocket.open(member.token);
          for (const topic of [`user:${member.id}`, `role:${member.role}`]) {
            joinLatencies.push(await member.socket.join({ topic, private: true }));
          }
          for (const conversation of member.conversations) {
            const topic = `conversation:${conversation.id}`;
            joinLatencies.push(
              await member.socket.join({
                topic,
                private: true,
                presenceKey: withPresence ? member.id : undefined,
              }),
            );
            if (withPresence) member.socket.track(topic, { at: Date.now() });
          }
        } catch {
          refused++;
        }
      }),
    );
    if ((start / CONNECT_BATCH) % 20 === 0) {
      log(`connected ${Math.min(start + CONNECT_BATCH, members.length)} / ${members.length}`);
    }
  }
  return { joinLatencies, refused };
}

function totals(members: Member[]): Record<FrameKind, number> {
  const sum: Record<FrameKind, number> = {
    messages: 0,
    typing: 0,
    presence: 0,
    notifications: 0,
    other: 0,
  };
  for (const member of members) {
    for (const kind of Object.keys(sum) as FrameKind[]) {
      sum[kind] += member.socket?.received[kind] ?? 0;
    }
  }
  return sum;
}

function difference(after: Record<FrameKind, number>, before: Record<FrameKind, number>) {
  return Object.fromEntries(
    (Object.keys(after) as FrameKind[]).map((kind) => [kind, after[kind] - before[kind]]),
  ) as Record<FrameKind, number>;
}

/** Frames per second per 1,000 members. */
function ratePer1000(count: number, members: number, seconds: number): number {
  return (count / seconds) * (1000 / members);
}

// ---------------------------------------------------------------------------------------------
// Presence comparison: the retired `online` topic vs contacts' status, same members and churn.

async function presenceComparison(run: string) {
  log(`presence comparison with ${BASELINE_MEMBERS} members`);
  const members = await createMembers(`${run}-presence`, BASELINE_MEMBERS);
  const churners = members.filter((_, index) => index % Math.round(1 / CHURN_SHARE) === 0);
  const windowMs = Math.min(WINDOW_SECONDS, 30) * 1000;

  // Retired design: everyone tracks presence on one topic (a public channel here: its private
  // policies are gone; the traffic is the same).
  await Promise.all(members.map(async (member) => {
    member.socket = await MemberSocket.open(member.token);
  }));
  for (let start = 0; start < members.length; start += CONNECT_BATCH) {
    await Promise.all(
      members.slice(start, start + CONNECT_BATCH).map(async (member) => {
        await member.socket!.join({ topic: "online", private: false, presenceKey: member.id });
        member.socket!.track("online", { at: Date.now() });
      }),
    );
  }
  await sleep(1000);
  let before = totals(members);
  for (const [index, member] of churners.entries()) {
    setTimeout(async () => {
      await member.socket!.leave("online");
      await member.socket!.join({ topic: "online", private: false, presenceKey: member.id });
      member.socket!.track("online", { at: Date.now() });
    }, (index / churners.length) * windowMs * 0.8);
  }
  await sleep(windowMs);
  const retired = difference(totals(members), before).presence;
  await Promise.all(members.map((member) => member.socket!.close()));

  // Contacts' status: user topic + conversations, heartbeats announce transitions.
  await connectAll(members, true);
  await Promise.all(members.map((member) => heartbeat(member)));
  await sleep(1000);
  before = totals(members);
  for (const [index, member] of churners.entries()) {
    setTimeout(async () => {
      await heartbeat(member, false);
      for (const conversation of member.conversations) {
        await member.socket!.leave(`conversation:${conversation.id}`);
      }
      for (const conversation of member.conversations) {
        const topic = `conversation:${conversation.id}`;
        await member.socket!.join({ topic, private: true, presenceKey: member.id });
        member.socket!.track(topic, { at: Date.now() });
      }
      await heartbeat(member);
    }, (index / churners.length) * windowMs * 0.8);
  }
  await sleep(windowMs);
  const contacts = difference(totals(members), before).presence;
  await Promise.all(members.map(async (member) => {
    await heartbeat(member, false);
    await member.socket!.close();
  }));
  const seconds = windowMs / 1000;
  return {
    members: members.length,
    churn: churners.length,
    seconds,
    retiredOnlineTopic: {
      presenceFrames: retired,
      perMemberPerSecond: retired / members.length / seconds,
    },
    contactsStatus: {
      presenceFrames: contacts,
      perMemberPerSecond: contacts / members.length / seconds,
    },
    ratio: retired / Math.max(1, contacts),
  };
}

// ---------------------------------------------------------------------------------------------
// The full load.

async function fullLoad(run: string) {
  log(`creating ${MEMBERS} members`);
  const members = await createMembers(run, MEMBERS);
  const byId = new Map(members.map((member) => [member.id, member]));
  const candidates = members.filter((member) => member.role === "candidate");
  const companies = members.filter((member) => member.role === "company");

  log("connecting");
  const connect = await measured(() => connectAll(members, true));
  const joins = connect.result.joinLatencies.length;

  log("heartbeats");
  await Promise.all(members.map((member) => heartbeat(member)));

  // Delivery tracking of messages and of the broadcast to candidates.
  const pendingMessages = new Map<string, { sentAt: number; to: string }>();
  const messageLatencies: number[] = [];
  const notificationLatencies: number[] = [];
  let broadcastSentAt = 0;
  for (const member of members) {
    member.socket!.onBroadcast = (_topic, event, payload) => {
      if (event === "message_created") {
        const id = (payload as { message_id: string }).message_id;
        const pending = pendingMessages.get(id);
        if (pending && pending.to === member.id) {
          messageLatencies.push(performance.now() - pending.sentAt);
          pendingMessages.delete(id);
        }
      } else if (
        // The broadcast to every candidate: a role's large fan-out, told by one `inbox` event on
        // role:candidate once the rows are written (a `notification` per member below 1,000).
        (event === "inbox" || event === "notification") &&
        (payload as { type?: string }).type === "system"
      ) {
        notificationLatencies.push(performance.now() - broadcastSentAt);
      }
    };
  }

  log(`activity for ${WINDOW_SECONDS} s`);
  const windowMs = WINDOW_SECONDS * 1000;
  let sent = 0;
  let errors = 0;
  const before = totals(members);
  const activity = await measured(async () => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    const at = (ms: number, action: () => Promise<void>) =>
      timers.push(setTimeout(() => action().catch(() => errors++), ms));
    for (const member of members) {
      // Heartbeats, staggered.
      const offset = Math.random() * HEARTBEAT_SECONDS * 1000;
      for (let t = offset; t < windowMs; t += HEARTBEAT_SECONDS * 1000) {
        at(t, () => heartbeat(member));
      }
      // Messages, each after typing.
      const expected = WINDOW_SECONDS / MESSAGE_EVERY_SECONDS;
      const count = Math.floor(expected) + (Math.random() < expected % 1 ? 1 : 0);
      for (let i = 0; i < count; i++) {
        const conversation =
          member.conversations[Math.floor(Math.random() * member.conversations.length)];
        if (!conversation) continue;
        at(Math.random() * (windowMs - DELIVERY_GRACE_MS), async () => {
          const topic = `conversation:${conversation.id}`;
          for (let k = 0; k < TYPING_PER_MESSAGE; k++) {
            member.socket!.broadcast(topic, "typing", { user_id: member.id });
          }
          const id = crypto.randomUUID();
          pendingMessages.set(id, { sentAt: performance.now(), to: conversation.otherId });
          sent++;
          const response = await rest("rpc/send_message", member.token, {
            p_conversation_id: conversation.id,
            p_body: "Bonjour, toujours disponible ?",
            p_message_id: id,
          });
          if (!response.ok) {
            errors++;
            pendingMessages.delete(id);
            sent--;
          }
        });
      }
    }
    // Churn: 10 % go offline and come back.
    for (const member of members.filter((_, index) => index % Math.round(1 / CHURN_SHARE) === 0)) {
      at(Math.random() * windowMs * 0.8, async () => {
        await heartbeat(member, false);
        await sleep(2000);
        await heartbeat(member);
      });
    }
    // Companies publish offers.
    for (let i = 0; i < OFFERS; i++) {
      const company = companies[i % companies.length];
      at((i / OFFERS) * windowMs * 0.8, async () => {
        const response = await rest("jobs", company.token, {
          company_id: company.id,
          title: `Développeur·se TypeScript ${i}`,
          description: "Offre de charge : TypeScript, React, PostgreSQL.",
          required_skills: ["TypeScript", "React"],
          experience_level: "mid",
          location: "Paris",
          remote_policy: "hybrid",
          contract_type: "cdi",
          status: "published",
        }, "return=minimal");
        if (!response.ok) errors++;
      });
    }
    // One broadcast to every candidate, mid-window.
    at(windowMs / 2, async () => {
      broadcastSentAt = performance.now();
      const response = await fetch(`${platform.url}/functions/v1/notify`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${platform.serviceRoleKey}`,
          apikey: platform.secretKey,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          role: "candidate",
          type: "system",
          title: "Maintenance ce soir",
          body: "Emploi+ sera indisponible de 2 h à 3 h.",
        }),
      });
      await response.body?.cancel();
      if (!response.ok) errors++;
    });
    await sleep(windowMs + DELIVERY_GRACE_MS);
    timers.forEach(clearTimeout);
  });
  const received = difference(totals(members), before);
  const held = members.filter((member) => member.socket?.isOpen).length;
  const socketErrors = members.reduce((sum, member) => sum + (member.socket?.errors ?? 0), 0);
  log("closing");
  await Promise.all(members.map(async (member) => {
    await heartbeat(member, false).catch(() => {});
    await member.socket?.close();
  }));
  const lost =
    [...pendingMessages.values()].filter((pending) => byId.get(pending.to)?.socket).length;
  return {
    members: MEMBERS,
    candidates: candidates.length,
    companies: companies.length,
    connectionsHeld: held,
    joins,
    joinsRefused: connect.result.refused,
    join: summarize(connect.result.joinLatencies),
    joinSeconds: connect.seconds,
    transactionsPerJoin: connect.transactions / Math.max(1, joins),
    databaseCpuMsPerJoin: (connect.databaseCpuSeconds * 1000) / Math.max(1, joins),
    messagesSent: sent,
    messagesLost: lost,
    delivery: summarize(messageLatencies),
    broadcastDelivered: notificationLatencies.length,
    broadcastDelivery: summarize(notificationLatencies),
    windowSeconds: activity.seconds,
    ratesPer1000Members: Object.fromEntries(
      (Object.keys(received) as FrameKind[]).map((
        kind,
      ) => [kind, ratePer1000(received[kind], MEMBERS, activity.seconds)]),
    ),
    databaseCpuPerSecond: activity.databaseCpuSeconds / activity.seconds,
    databaseTransactionsPerSecond: activity.transactions / activity.seconds,
    peakDatabaseConnections: Math.max(connect.peakConnections, activity.peakConnections),
    errors: errors + socketErrors,
  };
}

const run = Date.now().toString(36);
const presence = BASELINE_MEMBERS > 0 ? await presenceComparison(run) : null;
const load = await fullLoad(run);
await sql.end();

if (presence) {
  console.log(
    `\nPresence traffic, ${presence.members} members, ${presence.churn} coming and going in ${presence.seconds} s`,
  );
  printTable([
    {
      design: "retired `online` topic",
      frames: presence.retiredOnlineTopic.presenceFrames,
      "per member per s": presence.retiredOnlineTopic.perMemberPerSecond,
    },
    {
      design: "contacts' status",
      frames: presence.contactsStatus.presenceFrames,
      "per member per s": presence.contactsStatus.perMemberPerSecond,
    },
  ]);
  console.log(`retired / contacts: ${presence.ratio.toFixed(1)}×`);
}
console.log(
  `\n${load.members} members online (${load.candidates} candidates, ${load.companies} companies), ${
    load.windowSeconds.toFixed(0)
  } s`,
);
printTable([
  { metric: "connections held", value: load.connectionsHeld },
  { metric: "channel joins", value: load.joins },
  { metric: "joins refused", value: load.joinsRefused },
  { metric: "connect phase s", value: load.joinSeconds },
  { metric: "join p50 ms", value: load.join.p50 },
  { metric: "join p99 ms", value: load.join.p99 },
  { metric: "DB transactions per join", value: load.transactionsPerJoin },
  { metric: "DB CPU ms per join", value: load.databaseCpuMsPerJoin },
  { metric: "messages sent", value: load.messagesSent },
  { metric: "messages lost", value: load.messagesLost },
  { metric: "message delivery p50 ms", value: load.delivery.p50 },
  { metric: "message delivery p99 ms", value: load.delivery.p99 },
  { metric: "broadcast delivered to candidates", value: load.broadcastDelivered },
  { metric: "broadcast delivery p50 ms", value: load.broadcastDelivery.p50 },
  { metric: "broadcast delivery p99 ms", value: load.broadcastDelivery.p99 },
  ...Object.entries(load.ratesPer1000Members).map(([kind, rate]) => ({
    metric: `${kind} frames/s per 1,000 members`,
    value: rate,
  })),
  { metric: "DB CPU (cores)", value: load.databaseCpuPerSecond },
  { metric: "DB transactions/s", value: load.databaseTransactionsPerSecond },
  { metric: "peak DB connections", value: load.peakDatabaseConnections },
  { metric: "errors", value: load.errors },
]);
// bench/results/load.json keeps one entry per member count, so 1,000, 5,000 and 10,000 sit side by side.
const resultsPath = new URL("../results/load.json", import.meta.url);
const previous = await Deno.readTextFile(resultsPath).then(
  (text) => JSON.parse(text).results,
  () => ({}),
);
console.log(
  `\nresults: ${await writeResults("load", { ...previous, [MEMBERS]: { presence, load } })}`,
);
