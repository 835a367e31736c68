// Job search benchmark: p50/p99 of search_jobs over 100,000 published offers, for the searches
// a job board serves (free text, skills, location, remote, salary, combined, a deep page), run
// as a visitor (role anon), as the public job board is.
//
//   deno run -A bench/search/run.ts [--jobs 100000] [--samples 100] [--db-url URL]
//
// Missing offers are added first with the large-data generator (local/platform/seed_large.ts).
// Prints a table and writes bench/results/search.json.

import { parseArgs } from "node:util";
import postgres from "postgres";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";
import { printTable, summarize, timeRuns, writeResults } from "../_support/stats.ts";

const WARM_UP_RUNS = 5;
/** Share of generated offers that are published (see seed_large.ts). */
const PUBLISHED_SHARE = 0.9;

interface Search {
  name: string;
  arguments: Record<string, unknown>;
}

const SEARCHES: Search[] = [
  { name: "browse, newest first", arguments: {} },
  { name: "text: développeur", arguments: { p_query: "développeur" } },
  { name: "text: ingénieur données", arguments: { p_query: "ingénieur données" } },
  { name: "text: react typescript", arguments: { p_query: "react typescript" } },
  { name: 'text: "data analyst" -stage', arguments: { p_query: '"data analyst" -stage' } },
  { name: "skills: Python, SQL", arguments: { p_skills: ["Python", "SQL"] } },
  { name: "location: lyon", arguments: { p_location: "lyon" } },
  { name: "remote + salary >= 50k", arguments: { p_remote: true, p_salary_min: 50000 } },
  {
    name: "combined: text, skills, city, level",
    arguments: {
      p_query: "développeur",
      p_skills: ["React"],
      p_location: "Paris",
      p_experience_level: "mid",
    },
  },
  { name: "text: développeur, page 51", arguments: { p_query: "développeur", p_offset: 1000 } },
];

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "100000" },
    samples: { type: "string", default: "100" },
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
// Generated offers are published at random (90 %): top up until there are enough.
for (
  let published = await countPublished();
  published < options.jobs;
  published = await countPublished()
) {
  const missing = Math.ceil((options.jobs - published) / PUBLISHED_SHARE);
  console.log(`The database has ${published} published offers; adding ${missing} offers.`);
  await seedLargeDataSet({
    candidates: 0,
    companies: Math.ceil(missing / 25),
    jobs: missing,
    posts: 0,
    databaseUrl: options.databaseUrl,
  });
}
const publishedNow = await countPublished();

// A visitor, as supabase.rpc("search_jobs") without a session.
await sql`select set_config('request.jwt.claims', '{"role": "anon"}', false)`;
await sql`set role anon`;

const results = [];
for (const search of SEARCHES) {
  const names = Object.keys(search.arguments);
  // Named arguments (p_x => $n), as PostgREST calls RPCs.
  const call = `select * from public.search_jobs(${
    names.map((name, index) => `${name} => $${index + 1}`).join(", ")
  })`;
  const values = Object.values(search.arguments) as postgres.ParameterOrJSON<never>[];
  let rows = 0;
  const run = async () => rows = (await sql.unsafe(call, values, { prepare: true })).length;
  const durations = await timeRuns(run, options.samples, WARM_UP_RUNS);
  results.push({
    search: search.name,
    arguments: search.arguments,
    rows,
    ...summarize(durations),
  });
}
await sql.end();

console.log(
  `\nsearch_jobs, ${publishedNow.toLocaleString("en")} published offers, ` +
    `${options.samples} samples per search (ms)\n`,
);
printTable(results.map((result) => ({
  search: result.search,
  rows: result.rows,
  p50: result.p50,
  p99: result.p99,
})));

const path = await writeResults("search", {
  benchmark: "search_jobs",
  publishedOffers: publishedNow,
  samples: options.samples,
  pageSize: 20,
  unit: "ms",
  results,
});
console.log(`\nWritten to ${path}`);
