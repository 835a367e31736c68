// SPEC §5 for every entry point: each Edge Function (folders of supabase/functions) and each public
// RPC (functions of schema public that anon or authenticated may execute) receives malformed,
// oversize, hostile and unauthorized requests (catalogue: _support/fuzz_cases.ts). Asserted:
// no 5xx ever; every "refused" case answers a 4xx JSON error with a message and no stack trace;
// and a refused request writes nothing (no row inserted, updated or deleted in public, private
// or pgmq, no queue message sent). Prints the table entry point × case → HTTP status.
//
// Each function's requests come from their own client address, so the suite spends its own
// rate-limit buckets and leaves 127.0.0.1's to the other tests.

import assert from "node:assert/strict";
import { signJwt } from "../local/platform/jwt.ts";
import { signWebhookBody } from "../supabase/functions/_shared/webhook_auth.ts";
import { openConversation } from "./_support/messaging.ts";
import { createUser, moderated, platform, promoteToAdmin, sql } from "./_support/platform.ts";
import {
  type Attempt,
  CASE_LEGEND,
  changedTables,
  discoverFunctions,
  discoverRpcs,
  type EntryPoint,
  type Expectation,
  type Fixtures,
  FUNCTION_PROFILES,
  functionCases,
  probeProfile,
  rpcCases,
  tableWriteCases,
  writeFingerprint,
  writeFingerprintQuery,
} from "./_support/fuzz_cases.ts";

const projectRoot = new URL("..", import.meta.url).pathname;

function base64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function createFixtures(): Promise<Fixtures> {
  const [conversation, admin] = await Promise.all([openConversation(), createUser("candidate")]);
  await promoteToAdmin(admin);
  const { company, candidate, conversationId } = conversation;
  const sent = await candidate.client.rpc("send_message", {
    p_conversation_id: conversationId,
    p_body: "Bonjour",
  });
  if (sent.error) throw new Error(`fixture message: ${sent.error.message}`);
  const post = await company.client.from("posts").insert({ content: "Fuzz fixture post" })
    .select("id").single();
  if (post.error) throw new Error(`fixture post: ${post.error.message}`);
  await moderated("posts", post.data.id);
  const [job] = await sql<{ id: string }[]>`
    select id from public.jobs where company_id = ${company.id} limit 1`;

  const now = Math.floor(Date.now() / 1000);
  const user = (sub: string, exp = now + 3600) => ({
    sub,
    role: "authenticated",
    aud: "authenticated",
    iat: now - 10,
    exp,
  });
  const otherSecret = "not-the-project-secret-not-the-project-secret";
  return {
    ids: {
      self: candidate.id,
      peer: company.id,
      job: job.id,
      post: post.data.id,
      conversation: conversationId,
      message: (sent.data as { id: string }).id,
    },
    tokens: {
      candidate: candidate.accessToken,
      company: company.accessToken,
      admin: admin.accessToken,
      forged: await signJwt(user(admin.id), otherSecret),
      expired: await signJwt(user(admin.id, now - 60), platform.jwtSecret),
      unsigned: `${base64url('{"alg":"none","typ":"JWT"}')}.${
        base64url(JSON.stringify({ ...user(admin.id), role: "service_role" }))
      }.`,
      forgedService: await signJwt(
        { role: "service_role", iat: now, exp: now + 3600 },
        otherSecret,
      ),
      noProfile: await signJwt(user(crypto.randomUUID()), platform.jwtSecret),
    },
    publishableKey: platform.publishableKey,
    secretKey: platform.secretKey,
    webhookSecret: platform.webhookSecret,
  };
}

async function entryPoints(fixtures: Fixtures): Promise<EntryPoint[]> {
  const points: EntryPoint[] = [];
  const runOctet = 1 + Math.floor(Math.random() * 250);
  const functions = await discoverFunctions(projectRoot);
  for (const [index, name] of functions.entries()) {
    const described = FUNCTION_PROFILES[name];
    if (!described) console.warn(`fuzz: no profile for function ${name}: probed, generic cases`);
    const profile = described ?? await probeProfile(platform.url, name, fixtures);
    const address = `198.18.${runOctet}.${index + 1}`;
    points.push({
      label: `fn ${name}`,
      cases: functionCases(name, profile, fixtures, address, !described),
    });
  }
  for (const rpc of await discoverRpcs(sql)) {
    points.push({ label: `rpc ${rpc.name}`, cases: rpcCases(rpc, fixtures) });
  }
  points.push(...tableWriteCases(fixtures));
  return points;
}

interface Outcome {
  status: number;
  problem?: string;
}

async function send(attempt: Attempt, webhookSecret: string): Promise<Response> {
  const headers = { ...attempt.headers };
  if (attempt.signature) {
    const timestamp = Math.floor(Date.now() / 1000) - attempt.signature.ageSeconds;
    headers["x-webhook-timestamp"] = String(timestamp);
    headers["x-webhook-signature"] = await signWebhookBody(
      webhookSecret,
      timestamp,
      attempt.signature.body,
    );
  }
  const body = typeof attempt.body === "function" ? attempt.body() : attempt.body;
  return await fetch(`${platform.url}${attempt.path}`, { method: attempt.method, headers, body });
}

const LEAK = /\n\s+at |\.ts:\d+:\d+|file:\/\/|"stack"/;

/** What is wrong with an answer, regardless of writes. */
async function judge(response: Response, expect: Expectation): Promise<string | undefined> {
  const text = await response.text();
  const { status } = response;
  if (status >= 500) return `${status}: ${text.slice(0, 160)}`;
  if (expect === "refused" && status < 400) return `accepted (${status}): ${text.slice(0, 120)}`;
  if (expect === "accepted" && status >= 300) return `refused (${status}): ${text.slice(0, 160)}`;
  if (status < 400) return undefined;
  let message: unknown;
  try {
    const body = JSON.parse(text);
    message = body?.error?.message ?? body?.message ?? body?.msg;
  } catch {
    return `${status} without a JSON body: ${text.slice(0, 80)}`;
  }
  if (typeof message !== "string" || message === "") return `${status} without a message`;
  if (
    LEAK.test(text) || text.includes(platform.webhookSecret) || text.includes(platform.jwtSecret)
  ) {
    return `${status} leaks internals: ${text.slice(0, 160)}`;
  }
  return undefined;
}

/** Waits until nothing writes for a second (background workers done), at most `timeoutMs`. */
async function quiet(query: string, timeoutMs = 20_000): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let previous = await writeFingerprint(sql, query);
  let stableSince = Date.now();
  while (Date.now() - stableSince < 1000 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await writeFingerprint(sql, query);
    if (changedTables(previous, next).length) stableSince = Date.now();
    previous = next;
  }
  return previous;
}

function printTable(points: EntryPoint[], results: Map<string, Map<string, Outcome[]>>): void {
  const keys = Object.keys(CASE_LEGEND).filter((key) =>
    points.some((point) => point.cases.some((fuzzCase) => fuzzCase.key === key))
  );
  const cell = (outcomes: Outcome[] | undefined) => {
    if (!outcomes) return "·";
    const statuses = [...new Set(outcomes.map((outcome) => outcome.status))].join("/");
    return outcomes.some((outcome) => outcome.problem) ? `${statuses}!` : statuses;
  };
  const labelWidth = Math.max(...points.map((point) => point.label.length));
  const widths = keys.map((key) =>
    Math.max(key.length, ...points.map((point) => cell(results.get(point.label)?.get(key)).length))
  );
  const row = (label: string, cells: string[]) =>
    `${label.padEnd(labelWidth)} ${cells.map((text, i) => text.padStart(widths[i])).join(" ")}`;
  const lines = [row("entry point", keys)];
  for (const point of points) {
    lines.push(row(point.label, keys.map((key) => cell(results.get(point.label)?.get(key)))));
  }
  lines.push("", "· = not applicable, ! = failed, a/b = several requests (e.g. methods)");
  for (const key of keys) lines.push(`  ${key.padEnd(6)} ${CASE_LEGEND[key]}`);
  console.log(lines.join("\n"));
}

Deno.test(
  "every function and public RPC refuses bad input with 4xx, never 5xx, writing nothing",
  async () => {
    const fixtures = await createFixtures();
    const points = await entryPoints(fixtures);
    const fingerprintQuery = await writeFingerprintQuery(sql);
    const results = new Map<string, Map<string, Outcome[]>>();
    const record = (label: string, key: string, outcome: Outcome) => {
      const byKey = results.get(label) ?? new Map<string, Outcome[]>();
      byKey.set(key, [...(byKey.get(key) ?? []), outcome]);
      results.set(label, byKey);
    };

    // Refused cases first, each checked for writes; then the "handled" ones and the valid
    // requests, whose successes rightly write and wake background workers.
    let before = await quiet(fingerprintQuery);
    for (const point of points) {
      for (const fuzzCase of point.cases.filter((c) => c.expect === "refused")) {
        const response = await send(fuzzCase.attempt, fixtures.webhookSecret);
        let problem = await judge(response, "refused");
        let after = await writeFingerprint(sql, fingerprintQuery);
        if (response.status >= 400 && changedTables(before, after).length) {
          // Something wrote: a background worker, or this request? Ask again once all is quiet.
          before = await quiet(fingerprintQuery);
          const again = await send(fuzzCase.attempt, fixtures.webhookSecret);
          await again.body?.cancel();
          after = await writeFingerprint(sql, fingerprintQuery);
          const written = changedTables(before, after);
          if (again.status >= 400 && written.length) {
            problem ??= `refused (${again.status}) but wrote ${written.join(", ")}`;
          }
        }
        before = after;
        record(point.label, fuzzCase.key, { status: response.status, problem });
      }
    }
    for (const expect of ["handled", "accepted"] as const) {
      for (const point of points) {
        for (const fuzzCase of point.cases.filter((c) => c.expect === expect)) {
          const response = await send(fuzzCase.attempt, fixtures.webhookSecret);
          record(point.label, fuzzCase.key, {
            status: response.status,
            problem: await judge(response, expect),
          });
        }
      }
    }

    printTable(points, results);
    const problems = [...results].flatMap(([label, byKey]) =>
      [...byKey].flatMap(([key, outcomes]) =>
        outcomes.filter((o) => o.problem).map((o) => `${label} × ${key}: ${o.problem}`)
      )
    );
    const total = [...results.values()].reduce(
      (sum, byKey) => sum + [...byKey.values()].reduce((n, outcomes) => n + outcomes.length, 0),
      0,
    );
    console.log(
      `\nfuzz: ${points.length} entry points, ${total} requests, ${problems.length} failed`,
    );
    assert.deepEqual(problems, [], problems.join("\n"));
  },
);
