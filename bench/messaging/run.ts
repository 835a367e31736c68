// Messaging benchmark: send_message (REST RPC, as supabase.rpc does it) → delivery of the
// message_created broadcast to the other participant over Realtime, with 1,000 conversations
// open at once. The old Express + Socket.io backend claimed 50 ms per message send.
//
// Set-up: 1,000 companies and 1,000 candidates (inserted into auth.users, so the sign-up trigger
// creates their accounts), one conversation per pair (inserted directly: the messaging rule is not
// what is measured), each candidate marked connected (a presence heartbeat, so messages do not
// queue push notifications) and joined to its private channel `conversation:<id>` with its own
// access token. The candidates listen on raw WebSockets speaking the Phoenix protocol as
// realtime-js does (1,000 supabase-js clients in one process would measure the client library);
// companies send through POST /rest/v1/rpc/send_message with their own tokens.
//
//   1. REST, paced: PACED_RATE messages/s spread over the conversations, for PHASE_SECONDS:
//      latency of send_message and of delivery at a moderate load;
//   2. REST, sustained: every conversation sends its next message as soon as the previous one was
//      delivered (1,000 in flight), for PHASE_SECONDS: the throughput the platform sustains;
//   3. database, sustained: the same with send_message called on 10 direct database connections
//      (role and JWT claims set as PostgREST sets them), to tell the cost of the database and
//      Realtime from the local REST gateway's.
//
// Latencies: send = RPC round trip; delivery = from just before the RPC to the broadcast's
// arrival at the other participant. One machine, one clock; the benchmark, the gateway, Realtime
// and Postgres share its CPUs, so the figures are a floor.
//
// Runs against a running platform: start `npm start`, then
//   deno run -A bench/messaging/run.ts [--conversations 1000] [--seconds 20] [--rate 50]
// (settings as in tests/_support/platform.ts). Results: bench/results/messaging.json.

import { parseArgs } from "node:util";
import postgres from "postgres";
import { platform } from "../../tests/_support/platform.ts";
import { accessToken } from "../_support/access_token.ts";
import { insertDirectConversations } from "../_support/conversations.ts";
import { ChannelSocket } from "../_support/channel_socket.ts";
import { type LatencySummary, printTable, summarize, writeResults } from "../_support/stats.ts";
import type { MessageEvent } from "../../supabase/functions/_shared/realtime_events.ts";

const { values: args } = parseArgs({
  options: {
    conversations: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
    rate: { type: "string", default: "50" },
  },
});
const CONVERSATIONS = Number(args.conversations);
const PHASE_SECONDS = Number(args.seconds);
const PACED_RATE = Number(args.rate);
const OLD_BACKEND_SEND_MS = 50;
const HEARTBEAT_MS = 20_000;
const DELIVERY_TIMEOUT_MS = 30_000;

const sql = postgres(platform.databaseUrl, { max: 4, onnotice: () => {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pair {
  conversationId: string;
  companyId: string;
  companyToken: string;
  candidateId: string;
  candidateToken: string;
}

/** Bench users, their conversations and their presence, in a few set-based statements. */
async function createPairs(run: string, count: number): Promise<Pair[]> {
  const rows = await sql<{ conversation_id: string; company_id: string; candidate_id: string }[]>`
    with pairs as (
      select n, gen_random_uuid() as company_id, gen_random_uuid() as candidate_id,
        gen_random_uuid() as conversation_id
      from generate_series(1, ${count}::int) as n
    ),
    users as (
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
        email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated',
        format('bench-msg-%s-%s-%s@bench.emploi.plus', ${run}::text, kind, n), '', now(),
        '{"provider": "email", "providers": ["email"]}',
        jsonb_build_object('role', kind, 'full_name', format('Bench %s %s', kind, n)), now(), now()
      from pairs
      cross join lateral (values ('company', company_id), ('candidate', candidate_id))
        as member (kind, id)
    )
    select conversation_id, company_id, candidate_id from pairs`;
  await insertDirectConversations(sql, rows);
  return await Promise.all(rows.map(async (row) => ({
    conversationId: row.conversation_id,
    companyId: row.company_id,
    companyToken: await accessToken(row.company_id),
    candidateId: row.candidate_id,
    candidateToken: await accessToken(row.candidate_id),
  })));
}

/** Keeps the candidates "connected" (docs/messaging.md), as their apps' heartbeats would. */
async function keepConnected(candidateIds: string[]): Promise<() => void> {
  const beat = async () => {
    await sql`
      insert into private.user_presence (user_id, last_seen_at)
      select unnest(${candidateIds}::uuid[]), now()
      on conflict (user_id) do update set last_seen_at = excluded.last_seen_at`;
  };
  await beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  return () => clearInterval(timer);
}

/** What a message_created broadcast carries (only the message id is read here). */
type MessageCreated = Pick<MessageEvent, "message_id">;

/** Messages in flight: when each was sent, and the promise of its delivery. */
class Deliveries {
  #waiting = new Map<string, { sentAt: number; arrived: (at: number) => void }>();

  expect(messageId: string, sentAt: number): Promise<number> {
    return new Promise((resolve) => {
      this.#waiting.set(messageId, { sentAt, arrived: resolve });
      setTimeout(() => {
        if (this.#waiting.delete(messageId)) resolve(NaN);
      }, DELIVERY_TIMEOUT_MS);
    });
  }

  arrived(messageId: string): void {
    const entry = this.#waiting.get(messageId);
    if (!entry) return;
    this.#waiting.delete(messageId);
    entry.arrived(performance.now() - entry.sentAt);
  }
}

interface Outcome {
  sendMs: number;
  deliveryMs: number;
  error?: string;
}

type Sender = (pair: Pair, messageId: string, body: string) => Promise<string | undefined>;

/** send_message through the REST API, as supabase.rpc does; returns an error, if any. */
const sendThroughRest: Sender = async (pair, messageId, body) => {
  const response = await fetch(`${platform.url}/rest/v1/rpc/send_message`, {
    method: "POST",
    headers: {
      apikey: platform.publishableKey,
      authorization: `Bearer ${pair.companyToken}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      p_conversation_id: pair.conversationId,
      p_body: body,
      p_message_id: messageId,
    }),
  });
  const text = await response.text();
  return response.ok ? undefined : `${response.status} ${text.slice(0, 120)}`;
};

/**
 * send_message on a direct database connection, with the role and claims PostgREST sets: the
 * cost of the database and Realtime without the local REST gateway's.
 */
const databasePool = postgres(platform.databaseUrl, { max: 10, onnotice: () => {} });
const sendThroughDatabase: Sender = async (pair, messageId, body) => {
  try {
    await databasePool.begin(async (transaction) => {
      await transaction`
        select set_config('role', 'authenticated', true),
          set_config('request.jwt.claims', ${
        JSON.stringify({ sub: pair.companyId, role: "authenticated" })
      }, true)`;
      await transaction`select public.send_message(${pair.conversationId}, ${body}, ${messageId})`;
    });
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

/** Sends one message, then waits for the other participant to receive it. */
async function sendAndDeliver(
  send: Sender,
  pair: Pair,
  deliveries: Deliveries,
  n: number,
): Promise<Outcome> {
  const messageId = crypto.randomUUID();
  const sentAt = performance.now();
  const delivered = deliveries.expect(messageId, sentAt);
  const error = await send(
    pair,
    messageId,
    `Message ${n} : bonjour, êtes-vous disponible pour un entretien ?`,
  );
  const sendMs = performance.now() - sentAt;
  if (error) {
    deliveries.arrived(messageId);
    return { sendMs, deliveryMs: NaN, error };
  }
  return { sendMs, deliveryMs: await delivered };
}

interface PhaseResult {
  phase: string;
  seconds: number;
  sent: number;
  delivered: number;
  errors: Record<string, number>;
  messagesPerSecond: number;
  sendMs: LatencySummary;
  deliveryMs: LatencySummary;
}

function summarizePhase(phase: string, seconds: number, outcomes: Outcome[]): PhaseResult {
  const errors: Record<string, number> = {};
  for (const outcome of outcomes) {
    if (outcome.error) errors[outcome.error] = (errors[outcome.error] ?? 0) + 1;
  }
  const delivered = outcomes.filter((outcome) => Number.isFinite(outcome.deliveryMs));
  return {
    phase,
    seconds,
    sent: outcomes.length,
    delivered: delivered.length,
    errors,
    messagesPerSecond: delivered.length / seconds,
    sendMs: summarize(outcomes.filter((outcome) => !outcome.error).map((o) => o.sendMs)),
    deliveryMs: summarize(delivered.map((outcome) => outcome.deliveryMs)),
  };
}

/** PACED_RATE messages per second through REST, round-robin over the conversations. */
async function pacedPhase(pairs: Pair[], deliveries: Deliveries): Promise<PhaseResult> {
  const total = PACED_RATE * PHASE_SECONDS;
  const pending: Promise<Outcome>[] = [];
  const started = performance.now();
  for (let n = 0; n < total;) {
    const due = Math.min(
      total,
      Math.floor(((performance.now() - started) * PACED_RATE) / 1000) + 1,
    );
    for (; n < due; n++) {
      pending.push(sendAndDeliver(sendThroughRest, pairs[n % pairs.length], deliveries, n));
    }
    await sleep(5);
  }
  const outcomes = await Promise.all(pending);
  return summarizePhase(
    `REST, paced ${PACED_RATE} msg/s`,
    (performance.now() - started) / 1000,
    outcomes,
  );
}

/** Each conversation sends again as soon as its previous message was delivered. */
async function sustainedPhase(
  label: string,
  send: Sender,
  pairs: Pair[],
  deliveries: Deliveries,
): Promise<PhaseResult> {
  const outcomes: Outcome[] = [];
  const started = performance.now();
  const deadline = started + PHASE_SECONDS * 1000;
  let n = 0;
  await Promise.all(pairs.map(async (pair) => {
    while (performance.now() < deadline) {
      const outcome = await sendAndDeliver(send, pair, deliveries, n++);
      outcomes.push(outcome);
      if (outcome.error) await sleep(100);
    }
  }));
  return summarizePhase(
    `${label}, sustained, ${pairs.length} in flight`,
    (performance.now() - started) / 1000,
    outcomes,
  );
}

/** Messages ever sent to the notifications queue (pgmq's counter). */
async function pushRequestsSoFar(): Promise<number> {
  const [{ total }] = await sql`
    select total_messages::int as total from pgmq.metrics('notifications')`;
  return total;
}

/** Background work queued by the set-up (sign-up triggers) would skew the measurement. */
async function waitForIdleQueues(): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const [{ waiting }] = await sql`
      select coalesce(sum(m.queue_visible_length), 0)::int as waiting
      from private.work_queues as q cross join lateral pgmq.metrics(q.queue_name) as m`;
    if (waiting === 0) return;
    await sleep(1000);
  }
  console.log("(queues still busy, measuring anyway)");
}

const run = crypto.randomUUID().slice(0, 8);
console.log(`Messaging: ${CONVERSATIONS} conversations, ${platform.url}`);
const pairs = await createPairs(run, CONVERSATIONS);
const stopHeartbeats = await keepConnected(pairs.map((pair) => pair.candidateId));
const deliveries = new Deliveries();
const joinStarted = performance.now();
// Each candidate on its private conversation channel, with its own access token.
const sockets = await ChannelSocket.joinAll<MessageCreated>(pairs.map((pair) => ({
  channel: `conversation:${pair.conversationId}`,
  private: true,
  accessToken: pair.candidateToken,
})));
for (const socket of sockets) {
  socket.onBroadcast = (payload, event) => {
    if (event === "message_created") deliveries.arrived(payload.message_id);
  };
}
console.log(
  `${sockets.length} participants joined their private channels in ${
    ((performance.now() - joinStarted) / 1000).toFixed(1)
  } s`,
);
await waitForIdleQueues();

const pushRequestsBefore = await pushRequestsSoFar();
const results = [
  await pacedPhase(pairs, deliveries),
  await sustainedPhase("REST", sendThroughRest, pairs, deliveries),
  await sustainedPhase("database", sendThroughDatabase, pairs, deliveries),
];

const pushRequests = await pushRequestsSoFar() - pushRequestsBefore;
stopHeartbeats();
await Promise.all(sockets.map((socket) => socket.close()));
await sql`delete from auth.users where email like ${`bench-msg-${run}-%`}`;
await Promise.all([sql.end(), databasePool.end()]);

console.log("");
printTable(results.map((result) => ({
  phase: result.phase,
  "msgs/s": result.messagesPerSecond,
  delivered: `${result.delivered}/${result.sent}`,
  "send p50 ms": result.sendMs.p50,
  "send p99 ms": result.sendMs.p99,
  "delivery p50 ms": result.deliveryMs.p50,
  "delivery p99 ms": result.deliveryMs.p99,
})));
for (const result of results) {
  for (const [error, count] of Object.entries(result.errors)) {
    console.log(`${result.phase}: ${count} × ${error}`);
  }
}
console.log(`push requests during the run: ${pushRequests} (0 expected: everyone is connected)`);
console.log(`\nOld backend (Express + Socket.io): ${OLD_BACKEND_SEND_MS} ms per message send.`);
const path = await writeResults("messaging", {
  url: platform.url,
  conversations: CONVERSATIONS,
  oldBackendSendMs: OLD_BACKEND_SEND_MS,
  pushRequests,
  results,
});
console.log(`written to ${path}`);
