// Matching benchmark: time to match one new offer against 100,000 and 1,000,000 candidates
// (private.match_job: score every candidate sharing a skill, upsert the matches, ask for the job
// alerts), and offers matched per second, sustained, with as many connections as cores.
//
//   deno run -A bench/matching/run.ts [--sizes 100000,1000000] [--jobs 20] [--db-url URL]
//
// Candidates are added up to each size with the large-data generator (local/platform/seed_large.ts,
// triggers off, then private.refresh_matching_columns()). Each measured offer is created, published
// and matched in a transaction that is rolled back, so every run matches a new offer against the
// same candidates and leaves nothing behind (matches, alerts, doorbells). Use a database of its
// own: a million candidates make every later matching in that database a big one.
// Prints a table and writes bench/results/matching.json.

import postgres from "postgres";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";
import { printTable, summarize, writeResults } from "../_support/stats.ts";

interface Options {
  sizes: number[];
  jobs: number;
  databaseUrl: string;
}

function parseOptions(args: string[]): Options {
  const offset = Number(Deno.env.get("LOCAL_PLATFORM_PORT_OFFSET") ?? "0");
  const options: Options = {
    sizes: [100_000, 1_000_000],
    jobs: 20,
    databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${54322 + offset}/postgres`,
  };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if (flag === "--sizes") options.sizes = value.split(",").map((size) => Number(size));
    else if (flag === "--jobs") options.jobs = Number(value);
    else if (flag === "--db-url") options.databaseUrl = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

/** Offers like the ones companies post: a title, required and nice-to-have skills, a city. */
const OFFERS = [
  {
    title: "Développeur·se full-stack",
    required: ["React", "TypeScript", "Node.js"],
    nice: ["PostgreSQL", "Docker"],
    level: "mid",
    city: "Lyon",
  },
  {
    title: "Ingénieur·e données",
    required: ["Python", "SQL", "Airflow"],
    nice: ["Spark", "Kafka"],
    level: "senior",
    city: "Paris",
  },
  {
    title: "Développeur·se back-end Java",
    required: ["Java", "Spring Boot", "PostgreSQL"],
    nice: ["Kafka"],
    level: "mid",
    city: "Nantes",
  },
  {
    title: "Data analyst",
    required: ["SQL", "Power BI"],
    nice: ["Python", "Excel"],
    level: "junior",
    city: "Lille",
  },
  {
    title: "Ingénieur·e DevOps",
    required: ["Kubernetes", "Terraform", "AWS"],
    nice: ["Linux", "Go"],
    level: "senior",
    city: "Toulouse",
  },
];

interface MatchSummary {
  matches: number;
  added: number;
  alerts: number;
}

/** Creates, publishes and matches one offer; rolls it all back. Returns ms and the summary. */
async function matchOneNewOffer(
  sql: postgres.Sql,
  companyId: string,
  offer: typeof OFFERS[number],
): Promise<{ ms: number; summary: MatchSummary }> {
  let result: { ms: number; summary: MatchSummary } | undefined;
  await sql.begin(async (transaction) => {
    const [job] = await transaction<{ id: string }[]>`
      insert into public.jobs (company_id, title, required_skills, nice_to_have_skills,
        experience_level, location, remote_policy, status)
      values (${companyId}, ${offer.title}, ${offer.required}, ${offer.nice}, ${offer.level},
        ${offer.city}, 'hybrid', 'published')
      returning id`;
    const startedAt = performance.now();
    const [{ summary }] = await transaction<{ summary: MatchSummary }[]>`
      select private.match_job(${job.id}::uuid) as summary`;
    result = { ms: performance.now() - startedAt, summary };
    throw new RollBack();
  }).catch((error) => {
    if (!(error instanceof RollBack)) throw error;
  });
  return result!;
}

class RollBack extends Error {}

const options = parseOptions(Deno.args);
const cores = navigator.hardwareConcurrency;
const sql = postgres(options.databaseUrl, { max: cores, onnotice: () => {} });

const [{ companies }] = await sql<{ companies: number }[]>`
  select count(*)::int as companies from public.companies`;
if (companies === 0) {
  await seedLargeDataSet({
    candidates: 0,
    companies: 1,
    jobs: 0,
    posts: 0,
    databaseUrl: options.databaseUrl,
  });
}
const [{ id: companyId }] = await sql<{ id: string }[]>`select id from public.companies limit 1`;

const rows: Record<string, string | number>[] = [];
const results = [];
for (const size of options.sizes) {
  const [{ candidates }] = await sql<{ candidates: number }[]>`
    select count(*)::int as candidates from public.candidates`;
  if (candidates < size) {
    await seedLargeDataSet({
      candidates: size - candidates,
      companies: 0,
      jobs: 0,
      posts: 0,
      databaseUrl: options.databaseUrl,
    });
    const setupStartedAt = performance.now();
    await sql`select private.refresh_matching_columns()`;
    await sql`analyze public.candidates`;
    console.log(
      `matching columns of ${size - candidates} candidates computed in ` +
        `${((performance.now() - setupStartedAt) / 1000).toFixed(1)} s`,
    );
  }
  const [{ open }] = await sql<{ open: number }[]>`
    select count(*)::int as open from public.candidates where open_to_work`;

  // One new offer at a time, after a warm-up run (first run pays for cold caches).
  await matchOneNewOffer(sql, companyId, OFFERS[0]);
  const single = [];
  for (const offer of OFFERS) {
    const { ms, summary } = await matchOneNewOffer(sql, companyId, offer);
    single.push({ offer: offer.title, ms, ...summary });
    rows.push({
      candidates: size,
      offer: offer.title,
      "matched (ms)": ms,
      "matches stored": summary.matches,
      "alerts asked": summary.alerts,
    });
  }

  // Sustained: options.jobs offers, `cores` at a time.
  const startedAt = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: cores }, async () => {
    while (next < options.jobs) {
      const offer = OFFERS[next++ % OFFERS.length];
      await matchOneNewOffer(sql, companyId, offer);
    }
  }));
  const seconds = (performance.now() - startedAt) / 1000;
  const perSecond = options.jobs / seconds;
  results.push({
    candidates: size,
    openToWork: open,
    singleOffer: single,
    singleOfferMs: summarize(single.map((run) => run.ms)),
    sustained: { offers: options.jobs, connections: cores, seconds, offersPerSecond: perSecond },
  });
}
await sql.end();

console.log("\nOne new offer matched against every candidate (private.match_job)\n");
printTable(rows);
console.log("\nSustained\n");
printTable(results.map((result) => ({
  candidates: result.candidates,
  "offers": result.sustained.offers,
  connections: result.sustained.connections,
  "offers/s": result.sustained.offersPerSecond,
  "p50 one offer (ms)": result.singleOfferMs.p50,
})));
const path = await writeResults("matching", results);
console.log(`\nWritten to ${path}`);
