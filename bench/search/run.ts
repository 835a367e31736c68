// Job search benchmark: p50/p99 of search_jobs over 100,000 published offers, for the searches
// a job board serves (free text, skills, location, remote, salary, combined, a deep page), run
// as a visitor (role anon), as the public job board is.
//
//   deno run -A bench/search/run.ts [--jobs 100000] [--samples 100] [--db-url URL]
//
// Missing offers are added first with the large-data generator (local/platform/seed_large.ts).
// Prints a table and writes bench/results/search.json.

import postgres from "postgres";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";

const WARM_UP_RUNS = 5;
/** Share of generated offers that are published (see seed_large.ts). */
const PUBLISHED_SHARE = 0.9;

interface Options {
  jobs: number;
  samples: number;
  databaseUrl: string;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    jobs: 100_000,
    samples: 100,
    databaseUrl: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
  };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if (flag === "--jobs") options.jobs = Number(value);
    else if (flag === "--samples") options.samples = Number(value);
    else if (flag === "--db-url") options.databaseUrl = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

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

interface Percentiles {
  p50: number;
  p99: number;
}

function percentiles(durations: number[]): Percentiles {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { p50: round(at(0.5)), p99: round(at(0.99)) };
}

const options = parseOptions(Deno.args);
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
  const run = () => sql.unsafe(call, values, { prepare: true });
  for (let warmUp = 0; warmUp < WARM_UP_RUNS; warmUp++) await run();
  const durations: number[] = [];
  let rows = 0;
  for (let sample = 0; sample < options.samples; sample++) {
    const startedAt = performance.now();
    rows = (await run()).length;
    durations.push(performance.now() - startedAt);
  }
  results.push({
    search: search.name,
    arguments: search.arguments,
    rows,
    ...percentiles(durations),
  });
}
await sql.end();

const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(11);
console.log(
  `\nsearch_jobs, ${publishedNow.toLocaleString("en")} published offers, ` +
    `${options.samples} samples per search\n`,
);
console.log(
  `${"search".padEnd(38)}${"rows".padStart(5)}${"p50".padStart(12)}${"p99".padStart(12)}`,
);
for (const result of results) {
  console.log(
    `${result.search.padEnd(38)}${String(result.rows).padStart(5)} ${ms(result.p50)} ${
      ms(result.p99)
    }`,
  );
}

const resultsDirectory = new URL("../results/", import.meta.url);
await Deno.mkdir(resultsDirectory, { recursive: true });
await Deno.writeTextFile(
  new URL("search.json", resultsDirectory),
  JSON.stringify(
    {
      benchmark: "search_jobs",
      measuredAt: new Date().toISOString(),
      publishedOffers: publishedNow,
      samples: options.samples,
      pageSize: 20,
      unit: "ms",
      results,
    },
    null,
    2,
  ) + "\n",
);
console.log("\nWritten to bench/results/search.json");
