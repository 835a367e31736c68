// Gateway benchmark: requests/s and latency of a trivial Edge Function call (health) and of a
// one-row REST select (a published job, as a visitor), at concurrency 1 and 50.
//
// Runs against a running platform: start `npm start`, then
//   deno run -A bench/gateway/run.ts
// (with LOCAL_PLATFORM_PORT_OFFSET, pass the platform's settings as `npm test` does: SUPABASE_URL,
// SUPABASE_DB_URL and the keys; see tests/_support/platform.ts). BENCH_SECONDS sets the measured
// time per case (default 5). Results: bench/results/gateway.json.
//
// Requests carry the headers supabase-js sends with the publishable key. The client shares the
// machine with the platform, so the numbers are a floor for what the gateway itself can do.

import { createUser, platform, sql } from "../../tests/_support/platform.ts";
import { printTable, summarize, writeResults } from "../_support/stats.ts";

const MEASURED_SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? "5");
const WARM_UP_SECONDS = 1;
const CONCURRENCIES = [1, 50];

const headers = {
  apikey: platform.publishableKey,
  authorization: `Bearer ${platform.publishableKey}`,
  "x-client-info": "bench/gateway",
};

/** The id of a published job: from the seed if there is one, else one created for the bench. */
async function publishedJobId(): Promise<string> {
  const [seeded] = await sql`select id from public.jobs where status = 'published' limit 1`;
  if (seeded) return seeded.id;
  const company = await createUser("company");
  const { data, error } = await company.client.from("jobs")
    .insert({ title: "Benchmark offer", status: "published" }).select("id").single();
  if (error) throw new Error(`could not create a job: ${error.message}`);
  return data.id;
}

interface CaseResult {
  case: string;
  concurrency: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latencyMs: ReturnType<typeof summarize>;
}

/** `concurrency` loops send `url` back to back for the given time; returns what they measured. */
async function load(url: string, concurrency: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
      if (!response.ok) errors++;
    }
  }));
  return { latencies, errors, elapsedSeconds: (performance.now() - started) / 1000 };
}

async function measure(name: string, url: string, concurrency: number): Promise<CaseResult> {
  const probe = await fetch(url, { headers });
  if (!probe.ok) throw new Error(`${name}: ${url} answered ${probe.status} ${await probe.text()}`);
  await probe.arrayBuffer();
  await load(url, concurrency, WARM_UP_SECONDS);
  const { latencies, errors, elapsedSeconds } = await load(url, concurrency, MEASURED_SECONDS);
  return {
    case: name,
    concurrency,
    requests: latencies.length,
    errors,
    requestsPerSecond: latencies.length / elapsedSeconds,
    latencyMs: summarize(latencies),
  };
}

const jobId = await publishedJobId();
const cases: [string, string][] = [
  ["function health (GET /functions/v1/health)", `${platform.url}/functions/v1/health`],
  [
    "REST one-row select (GET /rest/v1/jobs?id=eq…)",
    `${platform.url}/rest/v1/jobs?select=id,title,location,salary_min&id=eq.${jobId}`,
  ],
];

const results: CaseResult[] = [];
console.log(
  `Gateway ${platform.url}: ${MEASURED_SECONDS} s per case after ${WARM_UP_SECONDS} s warm-up`,
);
for (const [name, url] of cases) {
  for (const concurrency of CONCURRENCIES) {
    results.push(await measure(name, url, concurrency));
  }
}
await sql.end();

console.log("");
printTable(results.map((result) => ({
  case: result.case,
  concurrency: result.concurrency,
  "req/s": result.requestsPerSecond,
  "p50 ms": result.latencyMs.p50,
  "p99 ms": result.latencyMs.p99,
  requests: result.requests,
  errors: result.errors,
})));
const path = await writeResults("gateway", {
  url: platform.url,
  seconds: MEASURED_SECONDS,
  results,
});
console.log(`\nwritten to ${path}`);
