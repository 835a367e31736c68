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
// Runs against a running platform: start `npm start`, then
//   deno run -A bench/hiring/run.ts [--offers 25]
// (settings as in tests/_support/platform.ts). Results: bench/results/hiring.json.

import { parseArgs } from "node:util";
import { createUser } from "../../tests/_support/platform.ts";
import { closeRealtime } from "../../tests/_support/messaging.ts";
import {
  apply,
  dataOf,
  listenToInbox,
  moveApplication,
  publishOffer,
} from "../../tests/_support/hiring.ts";
import { printTable, summarize, writeResults } from "../_support/stats.ts";

const { values: args } = parseArgs({ options: { offers: { type: "string", default: "25" } } });
const OFFERS = Number(args.offers);
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

const results = [
  { measure: "set_application_status round trip (REST RPC)", ...summarize(rpc) },
  { measure: "status change → candidate's Realtime notification", ...summarize(delivery) },
];
printTable(results.map(({ measure, count, p50, p90, p99, max }) => ({
  measure,
  changes: count,
  "p50 ms": p50,
  "p90 ms": p90,
  "p99 ms": p99,
  "max ms": max,
})));
const path = await writeResults("hiring", { offers: OFFERS, steps: STEPS, results });
console.log(`written to ${path}`);
Deno.exit(0);
