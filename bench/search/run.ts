// Job search benchmark: p50/p99 of search_jobs and search_jobs_facets per query class (selective
// text, broad text, prefix, typo, filters only, text + filters, facets, deep keyset page), run as
// a visitor (role anon) as the public job board is, plus the plans the searches ran with.
//
//   deno run -A bench/search/run.ts [--jobs 100000] [--samples 200] [--db-url URL]
//
// Missing offers are added first with the large-data generator (local/platform/seed_large.ts).
// Prints a table and writes bench/results/search.json (one entry per offer count, so runs at
// 100,000 and 1,000,000 offers sit side by side).

import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";
import { describeReference, referenceQueryMs } from "../_support/machine_speed.ts";
import { printTable, summarize, timeRuns } from "../_support/stats.ts";

const WARM_UP_RUNS = 5;
/** Share of generated offers that are published (see seed_large.ts). */
const PUBLISHED_SHARE = 0.9;
const RESULTS_PATH = new URL("../results/search.json", import.meta.url);

interface Search {
  class: string;
  name: string;
  rpc: "search_jobs" | "search_jobs_facets";
  arguments: Record<string, unknown>;
}

const SEARCHES: Search[] = [
  {
    class: "selective text",
    name: "data scientist lyon",
    rpc: "search_jobs",
    arguments: { p_query: "data scientist lyon" },
  },
  {
    class: "selective text",
    name: "cheffe de projet digital",
    rpc: "search_jobs",
    arguments: { p_query: "cheffe de projet digital" },
  },
  {
    class: "broad text",
    name: "développeur",
    rpc: "search_jobs",
    arguments: { p_query: "développeur" },
  },
  { class: "broad text", name: "dev", rpc: "search_jobs", arguments: { p_query: "dev " } },
  { class: "prefix", name: "reac", rpc: "search_jobs", arguments: { p_query: "reac" } },
  { class: "prefix", name: "data sci", rpc: "search_jobs", arguments: { p_query: "data sci" } },
  { class: "typo", name: "typescrpt", rpc: "search_jobs", arguments: { p_query: "typescrpt" } },
  {
    class: "typo",
    name: "devloppeur python",
    rpc: "search_jobs",
    arguments: { p_query: "devloppeur python" },
  },
  {
    class: "filters only",
    name: "CDI, remote, senior",
    rpc: "search_jobs",
    arguments: { p_contract_type: "cdi", p_remote_policy: "remote", p_experience_level: "senior" },
  },
  {
    class: "filters only",
    name: "Lyon 20 km, stage, salary sort",
    rpc: "search_jobs",
    arguments: { p_location: "Lyon", p_radius_km: 20, p_contract_type: "stage", p_sort: "salary" },
  },
  {
    class: "filters only",
    name: "département 35, lead, skills Python",
    rpc: "search_jobs",
    arguments: { p_departement: "35", p_experience_level: "lead", p_skills: ["python"] },
  },
  {
    class: "text + filters",
    name: "développeur, CDI, Lyon 20 km",
    rpc: "search_jobs",
    arguments: {
      p_query: "développeur",
      p_contract_type: "cdi",
      p_location: "Lyon",
      p_radius_km: 20,
    },
  },
  {
    class: "text + filters",
    name: "data télétravail, salary >= 50k",
    rpc: "search_jobs",
    arguments: { p_query: "data télétravail", p_salary_min: 50000 },
  },
  {
    class: "facets",
    name: "facets: développeur",
    rpc: "search_jobs_facets",
    arguments: { p_query: "développeur" },
  },
  {
    class: "facets",
    name: "facets: data scientist lyon",
    rpc: "search_jobs_facets",
    arguments: { p_query: "data scientist lyon" },
  },
  {
    class: "facets",
    name: "facets: développeur, CDI, Lyon 20 km",
    rpc: "search_jobs_facets",
    arguments: {
      p_query: "développeur",
      p_contract_type: "cdi",
      p_location: "Lyon",
      p_radius_km: 20,
    },
  },
  { class: "facets", name: "facets: everything", rpc: "search_jobs_facets", arguments: {} },
];

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "100000" },
    samples: { type: "string", default: "200" },
    "db-url": {
      type: "string",
      default: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
    },
  },
});
const options = {
  jobs: Number(args.jobs),
  samples: Number(args.samples),
  databaseUrl: args["db-url"],
};
const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });

const countPublished = async () =>
  (await sql<{ published: number }[]>`
    select count(*)::int as published from public.jobs where status = 'published'`)[0].published;
// The first 10,000 published offers are generated (seed_large.ts); the others are copies of
// generated ones with new ids and publication dates (the same trades, cities and skills), which
// spares the generator's per-offer skill extraction (minutes per 100,000 offers) at a million.
const GENERATED_OFFERS = 10_000;
for (
  let published = await countPublished();
  published < Math.min(options.jobs, GENERATED_OFFERS);
  published = await countPublished()
) {
  const missing = Math.ceil(
    (Math.min(options.jobs, GENERATED_OFFERS) - published) / PUBLISHED_SHARE,
  );
  console.log(`The database has ${published} published offers; adding ${missing} offers.`);
  await seedLargeDataSet({
    candidates: 0,
    companies: Math.ceil(missing / 25),
    jobs: missing,
    posts: 0,
    databaseUrl: options.databaseUrl,
  });
}
for (
  let published = await countPublished();
  published < options.jobs;
  published = await countPublished()
) {
  const batch = Math.min(100_000, options.jobs - published);
  console.log(`The database has ${published} published offers; copying ${batch} of them.`);
  await sql.begin(async (transaction) => {
    await transaction`set local session_replication_role = replica`;
    await transaction`
      insert into public.jobs (
        company_id, title, description, required_skills, nice_to_have_skills, experience_level,
        location, remote_policy, salary_min, salary_max, contract_type, status, published_at,
        created_at, updated_at, match_required_skills, match_nice_to_have_skills, match_location,
        analysis_completed
      )
      select job.company_id, job.title, job.description, job.required_skills,
        job.nice_to_have_skills, job.experience_level, job.location, job.remote_policy,
        job.salary_min, job.salary_max, job.contract_type, job.status, copy.published_at,
        copy.published_at, copy.published_at, job.match_required_skills,
        job.match_nice_to_have_skills, job.match_location, true
      from (
        select * from public.jobs where status = 'published' order by random() limit ${batch}
      ) as job
      cross join lateral (
        select now() - random() * interval '365 days' as published_at where job.id is not null
      ) as copy
    `;
  });
}
if (options.jobs > GENERATED_OFFERS) await sql`select private.refresh_search_vocabulary()`;
const publishedNow = await countPublished();
await sql`vacuum analyze public.jobs`;

/** Named arguments (p_x => $n), as PostgREST calls RPCs. */
function callOf(rpc: string, argumentsOf: Record<string, unknown>) {
  const names = Object.keys(argumentsOf);
  return {
    text: `select * from public.${rpc}(${
      names.map((name, index) => `${name} => $${index + 1}`).join(", ")
    })`,
    values: Object.values(argumentsOf) as postgres.ParameterOrJSON<never>[],
  };
}

// A visitor, as supabase.rpc("search_jobs") without a session.
await sql`select set_config('request.jwt.claims', '{"role": "anon"}', false)`;
await sql`set role anon`;

// Deep keyset pages: the cursors after 10,000 rows by date and after 60 by relevance (inside
// the relevance window), reached once by following the cursors.
async function cursorAfter(argumentsOf: Record<string, unknown>, rows: number): Promise<string> {
  const pageSize = Math.min(100, rows);
  let cursor: string | undefined;
  for (let seen = 0; seen < rows; seen += pageSize) {
    const call = callOf("search_jobs", {
      ...argumentsOf,
      p_limit: pageSize,
      ...(cursor ? { p_cursor: cursor } : {}),
    });
    const page = await sql.unsafe<{ cursor: string }[]>(call.text, call.values);
    cursor = page.at(-1)!.cursor;
  }
  return cursor!;
}
SEARCHES.push(
  {
    class: "deep keyset page",
    name: "by date, after 10,000 rows",
    rpc: "search_jobs",
    arguments: { p_sort: "date", p_cursor: await cursorAfter({ p_sort: "date" }, 10_000) },
  },
  {
    class: "deep keyset page",
    name: "développeur by relevance, after 60 rows",
    rpc: "search_jobs",
    arguments: {
      p_query: "développeur",
      p_cursor: await cursorAfter({ p_query: "développeur" }, 60),
    },
  },
  {
    class: "deep keyset page",
    name: "développeur past the relevance window, after 2,000 rows",
    rpc: "search_jobs",
    arguments: {
      p_query: "développeur",
      p_cursor: await cursorAfter({ p_query: "développeur" }, 2_000),
    },
  },
);

const loadBefore = loadavg();
const referenceBefore = await referenceQueryMs(sql);
const results = [];
for (const search of SEARCHES) {
  const call = callOf(search.rpc, search.arguments);
  let rows = 0;
  const run = async () =>
    rows = (await sql.unsafe(call.text, call.values, { prepare: true })).length;
  const durations = await timeRuns(run, options.samples, WARM_UP_RUNS);
  results.push({
    class: search.class,
    search: search.name,
    rpc: search.rpc,
    arguments: { ...search.arguments, p_cursor: search.arguments.p_cursor ? "…" : undefined },
    rows,
    ...summarize(durations),
  });
}
const loadAfter = loadavg();
const referenceAfter = await referenceQueryMs(sql);

// The plans the searches ran with (auto_explain of the statements inside the RPCs).
await sql`reset role`;
const plans: Record<string, string[]> = {};
const planOutput: string[] = [];
const explained = postgres(options.databaseUrl, {
  max: 1,
  onnotice: (notice) => planOutput.push(notice.message),
});
await explained`load 'auto_explain'`;
await explained`set auto_explain.log_min_duration = 0`;
await explained`set auto_explain.log_nested_statements = on`;
await explained`set auto_explain.log_format = text`;
await explained`set client_min_messages = log`;
for (const search of SEARCHES) {
  const call = callOf(search.rpc, search.arguments);
  planOutput.length = 0;
  await explained.unsafe(call.text, call.values);
  plans[`${search.class}: ${search.name}`] = planOutput
    // Plans that read offers (not the statements building the SQL text, which name the table too).
    .filter((message) => / on jobs job/.test(message) && !/explain \(format json\)/.test(message))
    .map((message) => message.replace(/^duration: [0-9.]+ ms\s+/, ""));
}
await explained.end();
await sql.end();

console.log(
  `\nsearch, ${publishedNow.toLocaleString("en")} published offers, ${options.samples} samples ` +
    `per search (ms); load average ${loadBefore[0].toFixed(1)} before, ` +
    `${loadAfter[0].toFixed(1)} after (2 cores, shared); ` +
    `${describeReference(referenceBefore, referenceAfter)}\n`,
);
printTable(results.map((result) => ({
  class: result.class,
  search: result.search,
  rows: result.rows,
  p50: result.p50,
  p99: result.p99,
})));

// One entry per size of data set, so that the 100,000 and 1,000,000 runs are kept side by side.
let previous: { runs?: Record<string, unknown> } = {};
try {
  previous = JSON.parse(await Deno.readTextFile(RESULTS_PATH));
} catch { /* first run */ }
const runs = { ...(previous.runs ?? {}) };
runs[String(options.jobs)] = {
  measuredAt: new Date().toISOString(),
  publishedOffers: publishedNow,
  samples: options.samples,
  pageSize: 20,
  unit: "ms",
  loadAverage: { before: loadBefore, after: loadAfter, cpus: navigator.hardwareConcurrency },
  referenceQueryMs: { before: referenceBefore, after: referenceAfter },
  results,
  plans,
};
await Deno.writeTextFile(
  RESULTS_PATH,
  JSON.stringify({ benchmark: "search_jobs", deno: Deno.version.deno, runs }, null, 2) + "\n",
);
console.log(`\nWritten to ${RESULTS_PATH.pathname}`);
