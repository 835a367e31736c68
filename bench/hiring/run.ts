// Hiring benchmark: latency from an application status change (set_application_status, as
// supabase.rpc calls it) to the candidate's in-app notification arriving over Realtime on
// `user:<id>`, through the whole notifications pipeline (history trigger → pgmq → pg_net doorbell
// → queue-worker dispatcher → inbox row + broadcast → Realtime → supabase-js).
//
// Set-up: one company with OFFERS published offers, one candidate who applied to each and listens
// with supabase-js. The company then moves each application through reviewing, interview, offer
// and hired, one change at a time (the next change starts when the previous notification
// arrived): OFFERS × 4 changes. Peer figure measured in the same run: the RPC round trip alone.
//
// Then get_job_candidates (supabase.rpc) on an offer with MATCHES matched candidates (80% open to
// work) of whom APPLICANTS applied, written set-based: the first page, a page deep in the ranking
// (after score 10), and the applicants only; 50 calls each.
//
// Runs against a running platform: start `npm start`, then
//   deno run -A bench/hiring/run.ts [--offers 25] [--matches 50000] [--applicants 2000]
// (settings as in tests/_support/platform.ts). Results: bench/results/hiring.json.

import { parseArgs } from "node:util";
import { createUser, sql } from "../../tests/_support/platform.ts";
import { closeRealtime } from "../../tests/_support/messaging.ts";
import {
  apply,
  dataOf,
  listenToInbox,
  moveApplication,
  publishOffer,
} from "../../tests/_support/hiring.ts";
import { printTable, summarize, timeRuns, writeResults } from "../_support/stats.ts";

const { values: args } = parseArgs({
  options: {
    offers: { type: "string", default: "25" },
    matches: { type: "string", default: "50000" },
    applicants: { type: "string", default: "2000" },
  },
});
const OFFERS = Number(args.offers);
const MATCHES = Number(args.matches);
const APPLICANTS = Number(args.applicants);
const STEPS = ["reviewing", "interview", "offer", "hired"];

const company = await createUser("company", { company_name: "Banc d'essai" });
const candidate = await createUser("candidate");
const inbox = await listenToInbox(candidate);
const applications: string[] = [];
for (let offer = 0; offer < OFFERS; offer++) {
  const jobId = await publishOffer(company, `Offre de mesure ${offer + 1}`);
  applications.push(await apply(candidate.client, jobId));
}

const rpc: number[] = [];
const delivery: number[] = [];
for (const status of STEPS) {
  for (const applicationId of applications) {
    const startedAt = performance.now();
    const arrived = inbox.next((row) =>
      dataOf(row).applicationId === applicationId && dataOf(row).status === status
    );
    await moveApplication(company.client, applicationId, status);
    rpc.push(performance.now() - startedAt);
    await arrived;
    delivery.push(performance.now() - startedAt);
  }
}
await closeRealtime(candidate.client);

// A crowded offer, written set-based with triggers off (the pipeline is not what is measured).
const run = crypto.randomUUID().slice(0, 8);
const crowdedJob = await publishOffer(company, "Offre très demandée");
await sql.begin(async (transaction) => {
  await transaction`set local session_replication_role = replica`;
  await transaction`create temporary table bench_ids on commit drop as
    select gen_random_uuid() as id, n from generate_series(1, ${MATCHES}::int) as n`;
  await transaction`insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
      created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated',
      format('bench-hiring-%s-%s@bench.emploi.test', ${run}::text, n), '', now(), now()
    from bench_ids`;
  await transaction`insert into public.profiles (id, role, full_name)
    select id, 'candidate', 'Candidat ' || n from bench_ids`;
  await transaction`insert into public.candidates (id, open_to_work)
    select id, n % 5 <> 0 from bench_ids`;
  await transaction`insert into public.job_matches (job_id, candidate_id, match_score)
    select ${crowdedJob}, id, (n * 7919) % 101 from bench_ids`;
  await transaction`insert into public.job_applications (job_id, candidate_id)
    select ${crowdedJob}, id from bench_ids where n <= ${APPLICANTS}`;
});
await sql`analyze public.job_matches`;
await sql`analyze public.job_applications`;
const [deep] = await sql`select candidate_id from public.job_matches
  where job_id = ${crowdedJob} and match_score = 10 order by candidate_id desc limit 1`;
const ranking = (extra: Record<string, unknown>) => async () => {
  const { data, error } = await company.client.rpc("get_job_candidates", {
    p_job_id: crowdedJob,
    p_limit: 20,
    ...extra,
  });
  if (error || data?.length !== 20) throw new Error(`get_job_candidates: ${JSON.stringify(error)}`);
};
const rankingResults = [
  { measure: "get_job_candidates, first page", extra: {} },
  {
    measure: "get_job_candidates, page after score 10",
    extra: { p_after_score: 10, p_after_candidate_id: deep.candidate_id },
  },
  { measure: "get_job_candidates, applicants only", extra: { p_applicants_only: true } },
];
const rankingSamples = [];
for (const { measure, extra } of rankingResults) {
  rankingSamples.push({ measure, ...summarize(await timeRuns(ranking(extra), 50, 5)) });
}
await sql`delete from auth.users
  where email like ${`bench-hiring-${run}-%`} or id = ${company.id} or id = ${candidate.id}`;

const results = [
  { measure: "set_application_status round trip (REST RPC)", ...summarize(rpc) },
  { measure: "status change → candidate's Realtime notification", ...summarize(delivery) },
  ...rankingSamples,
];
printTable(results.map(({ measure, count, p50, p90, p99, max }) => ({
  measure,
  calls: count,
  "p50 ms": p50,
  "p90 ms": p90,
  "p99 ms": p99,
  "max ms": max,
})));
const path = await writeResults("hiring", {
  offers: OFFERS,
  steps: STEPS,
  matches: MATCHES,
  applicants: APPLICANTS,
  results,
});
console.log(`written to ${path}`);
Deno.exit(0);
