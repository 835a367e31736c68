// Scale-out of the queue worker: one large backlog — `--offers` new offers to match and
// `--recipients` notification recipients (in requests of 1,000) — drained by 1, 2 and 4
// queue-worker instances at once, as hosted Edge Functions run several isolates of a function
// when several doorbells ring. Each instance is its own process running the unchanged function
// (local/functions/function_process.ts), woken every 500 ms like the doorbell and the sweep; they
// share the queues through pgmq's visibility timeout (`FOR UPDATE SKIP LOCKED`), so no message is
// processed twice. The matching backlog is drained first, then the notifications (the requests
// and the offers' job alerts). Throughput per instance count is printed and written to
// bench/results/scaleout.json.
//
// While it runs, the platform's own doorbell is switched off (its Vault setting removed, then put
// back) so that only the instances under test drain. Against a running platform (`npm start`):
//   deno run -A bench/scaleout/run.ts [--candidates 20000] [--offers 2000] [--recipients 100000]
//     [--workers 1,2,4]

import { parseArgs } from "node:util";
import postgres from "postgres";
import { platform } from "../../tests/_support/platform.ts";
import { environments, projectRoot } from "../../local/platform/environments.ts";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";
import { FunctionProcess } from "../../local/functions/function_process.ts";
import { platformVariables } from "../../local/functions/service.ts";
import { startOneSignalStandIn } from "../../local/onesignal/server.ts";
import { printTable, writeResults } from "../_support/stats.ts";

const { values: args } = parseArgs({
  options: {
    candidates: { type: "string", default: "20000" },
    offers: { type: "string", default: "2000" },
    recipients: { type: "string", default: "100000" },
    workers: { type: "string", default: "1,2,4" },
  },
});
const CANDIDATES = Number(args.candidates);
const OFFERS = Number(args.offers);
const RECIPIENTS_PER_REQUEST = 1000;
const REQUESTS = Math.ceil(Number(args.recipients) / RECIPIENTS_PER_REQUEST);
const WORKER_COUNTS = args.workers.split(",").map(Number);
const WAKE_EVERY_MS = 500;
const QUEUES = ["job_matching", "notifications"] as const;
const TITLES = [
  ["Développeur·se React", ["React", "TypeScript"]],
  ["Data engineer", ["Python", "SQL", "Airflow"]],
  ["Ingénieur·e DevOps", ["Kubernetes", "Terraform"]],
  ["Chef·fe de projet digital", ["Gestion de projet", "Agile"]],
  ["Développeur·se Java", ["Java", "Spring"]],
] as const;
const CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Toulouse", "Bordeaux"];

const sql = postgres(platform.databaseUrl, { max: 4, onnotice: () => {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text: string) => console.error(`▸ ${text}`);

async function queueLengths(): Promise<Record<string, number>> {
  const rows = await sql<{ queue: string; length: string }[]>`
    select queue, (pgmq.metrics(queue)).queue_length as length
    from unnest(${QUEUES as unknown as string[]}::text[]) as queue`;
  return Object.fromEntries(rows.map((row) => [row.queue, Number(row.length)]));
}

/** The backlog: offers inserted published (each enqueues its matching) and notification requests. */
async function enqueueBacklog(run: string, companyId: string, candidateIds: string[]) {
  await sql`
    insert into public.jobs (company_id, title, required_skills, experience_level, location,
      remote_policy, contract_type, status)
    select ${companyId}, title.value ->> 0 || ' ' || ${run}::text || '-' || n,
      array(select jsonb_array_elements_text(title.value -> 1)), 'mid',
      (${CITIES}::text[])[1 + n % ${CITIES.length}], 'hybrid', 'cdi', 'published'
    from generate_series(1, ${OFFERS}::int) as n
    cross join lateral (
      select value from jsonb_array_elements(${sql.json(TITLES as unknown as string[])}::jsonb)
      with ordinality as t (value, position)
      where position = 1 + n % ${TITLES.length}
    ) as title`;
  for (let request = 0; request < REQUESTS; request++) {
    const start = (request * RECIPIENTS_PER_REQUEST) % candidateIds.length;
    const audience = candidateIds.slice(start, start + RECIPIENTS_PER_REQUEST);
    await sql`
      select private.request_notification(
        p_type => 'system', p_title => 'Nouveautés de la semaine', p_body => ${`Lot ${run}`},
        p_user_ids => ${audience}::uuid[], p_dedupe_key => ${`scaleout:${run}:${request}`}
      )`;
  }
}

/** Drains the backlog with `count` queue-worker instances; seconds until each queue emptied. */
async function drainWith(count: number, extraEnv: Record<string, string>) {
  const socketDir = await Deno.makeTempDir({ prefix: "scaleout-" });
  const workers = Array.from({ length: count }, (_, index) =>
    new FunctionProcess({
      name: `queue-worker-${index + 1}`,
      denoPath: Deno.execPath(),
      entrypoint: `${projectRoot}/supabase/functions/queue-worker/index.ts`,
      configPath: `${projectRoot}/deno.json`,
      cwd: projectRoot,
      socketPath: `${socketDir}/queue-worker-${index + 1}.sock`,
      env: {
        ...platformVariables({
          keys: platform,
          apiUrl: platform.url,
          databaseUrl: platform.databaseUrl,
        }),
        WEBHOOK_SECRET: platform.webhookSecret,
        ...extraEnv,
      },
    }));
  await Promise.all(workers.map((worker) => worker.ready));
  const wake = (worker: FunctionProcess, queue: string) => {
    const request = new Request("http://queue-worker/", {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": platform.webhookSecret },
      body: JSON.stringify({ queue }),
    });
    return worker.forward(request, "/", request.headers).then((response) =>
      response.body?.cancel()
    );
  };
  // One queue after the other: matching first, since its job alerts join the notifications.
  const drainedAfter: Record<string, number> = {};
  for (const queue of QUEUES) {
    const startedAt = performance.now();
    while ((await queueLengths())[queue] > 0) {
      await Promise.all(workers.map((worker) => wake(worker, queue)));
      await sleep(WAKE_EVERY_MS);
    }
    drainedAfter[queue] = (performance.now() - startedAt) / 1000;
  }
  log(`${count} instance(s): ${JSON.stringify(drainedAfter)}`);
  await Promise.all(workers.map((worker) => worker.stop()));
  await Deno.remove(socketDir, { recursive: true });
  return drainedAfter;
}

const run = Date.now().toString(36);
const [{ existing }] = await sql<
  { existing: string }[]
>`select count(*) as existing from public.candidates`;
if (Number(existing) < CANDIDATES) {
  log(`seeding ${CANDIDATES - Number(existing)} candidates`);
  await seedLargeDataSet({
    candidates: CANDIDATES - Number(existing),
    companies: 1,
    jobs: 0,
    posts: 0,
    databaseUrl: platform.databaseUrl,
  });
}
const candidateIds = (await sql<{ id: string }[]>`
  select id from public.candidates order by id limit ${REQUESTS * RECIPIENTS_PER_REQUEST}`)
  .map((row) => row.id);
const [{ id: companyId }] = await sql<{ id: string }[]>`select id from public.companies limit 1`;
const oneSignal = startOneSignalStandIn({ port: environments.dev.apiPort + 40 });
const [doorbell] = await sql<{ secret: string }[]>`
  select decrypted_secret as secret from vault.decrypted_secrets where name = 'project_url'`;

const results: Record<string, number>[] = [];
try {
  await sql`delete from vault.secrets where name = 'project_url'`;
  for (const count of WORKER_COUNTS) {
    const before = await queueLengths();
    if (Object.values(before).some((length) => length > 0)) {
      throw new Error(`queues not empty before the run: ${JSON.stringify(before)}`);
    }
    log(`backlog: ${OFFERS} offers, ${REQUESTS} requests of ${RECIPIENTS_PER_REQUEST} recipients`);
    const batch = `${run}-${count}`;
    const [{ since }] = await sql<{ since: Date }[]>`select clock_timestamp() as since`;
    await enqueueBacklog(batch, companyId, candidateIds);
    const drained = await drainWith(count, {
      ONESIGNAL_API_URL: oneSignal.url,
      ONESIGNAL_APP_ID: oneSignal.appId,
      ONESIGNAL_REST_API_KEY: oneSignal.apiKey,
    });
    // In-app rows of the run: the requests' recipients and the offers' job alerts.
    const [delivered] = await sql<{ in_app: string }[]>`
      select count(*) as in_app from public.notifications where created_at >= ${since}`;
    results.push({
      instances: count,
      "offers matched/s": OFFERS / drained.job_matching,
      "matching s": drained.job_matching,
      "recipients/s": Number(delivered.in_app) / drained.notifications,
      "fan-out s": drained.notifications,
      "in-app rows": Number(delivered.in_app),
    });
    await sql`delete from public.jobs where title like ${`% ${batch}-%`}`;
  }
} finally {
  if (doorbell) await sql`select vault.create_secret(${doorbell.secret}, 'project_url')`;
  await oneSignal.close();
  await sql.end();
}

console.log(
  `\nOne backlog (${OFFERS} offers vs ${CANDIDATES} candidates, ${
    REQUESTS * RECIPIENTS_PER_REQUEST
  } recipients) per instance count`,
);
printTable(results);
console.log(`\nresults: ${await writeResults("scaleout", results)}`);
