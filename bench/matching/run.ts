// Matching benchmark: time to match one new offer against 100,000 and 1,000,000 candidates, one
// candidate against every published offer, and offers matched per second, sustained, with as many
// connections as cores (private.rematch: score the pairs, write what changed, ask for the alerts).
// Each run also reports where its time went: scoring, writing, alerts (measured inside rematch),
// and the rest (round trip, transaction, planning), printed as a breakdown; the same candidates'
// pairs are also scored alone (counted, nothing written), the floor under a candidate's run.
// Sustained is measured twice: offers created and matched in one transaction, and offers committed
// first (the worker's case: the offer's own transaction has ended when its matching runs).
//
//   deno run -A bench/matching/run.ts [--sizes 100000,1000000] [--offers 100000] [--jobs 20]
//     [--rounds 3] [--db-url URL]
//
// Candidates are added up to each size, and offers (90 % of them published) up to --offers
// before the first size, with the large-data generator (local/platform/seed_large.ts, triggers off, then
// private.refresh_matching_columns()). Each measured run happens in a transaction that is rolled
// back, so every run matches a new offer (or a candidate never matched) against the same data and
// leaves nothing behind (matches, alerts, doorbells). Use a database of its own: a million
// candidates make every later matching in that database a big one.
// Prints tables and writes bench/results/matching.json.

import postgres from "postgres";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";
import { describeReference, referenceQueryMs } from "../_support/machine_speed.ts";
import { type LatencySummary, printTable, summarize, writeResults } from "../_support/stats.ts";

interface Options {
  sizes: number[];
  offers: number;
  jobs: number;
  rounds: number;
  databaseUrl: string;
}

function parseOptions(args: string[]): Options {
  const offset = Number(Deno.env.get("LOCAL_PLATFORM_PORT_OFFSET") ?? "0");
  const options: Options = {
    sizes: [100_000, 1_000_000],
    offers: 100_000,
    jobs: 20,
    rounds: 3,
    databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${54322 + offset}/postgres`,
  };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if (flag === "--sizes") options.sizes = value.split(",").map((size) => Number(size));
    else if (flag === "--offers") options.offers = Number(value);
    else if (flag === "--jobs") options.jobs = Number(value);
    else if (flag === "--rounds") options.rounds = Number(value);
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

/** What private.rematch returns. */
interface RematchSummary {
  matches: number;
  added: number;
  rescored: number;
  removed: number;
  alerts: number;
  ms: { scoring: number; writing: number; alerts: number };
}

/** One measured rematch: its time seen by the client, and its summary. */
interface Run {
  ms: number;
  summary: RematchSummary;
}

class RollBack extends Error {}

/** Runs `work` in a transaction that is rolled back whatever happens. */
async function rolledBack<T>(
  sql: postgres.Sql,
  work: (transaction: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  await sql.begin(async (transaction) => {
    result = await work(transaction);
    throw new RollBack();
  }).catch((error) => {
    if (!(error instanceof RollBack)) throw error;
  });
  return result!;
}

async function timedRematch(
  transaction: postgres.TransactionSql,
  jobIds: string[],
  candidateIds: string[],
): Promise<Run> {
  const startedAt = performance.now();
  const [{ summary }] = await transaction<{ summary: RematchSummary }[]>`
    select private.rematch(${jobIds}::uuid[], ${candidateIds}::uuid[]) as summary`;
  return { ms: performance.now() - startedAt, summary };
}

/** Creates and publishes one offer; returns its id. */
async function insertOffer(
  transaction: postgres.TransactionSql,
  companyId: string,
  offer: typeof OFFERS[number],
): Promise<string> {
  const [job] = await transaction<{ id: string }[]>`
    insert into public.jobs (company_id, title, required_skills, nice_to_have_skills,
      experience_level, location, remote_policy, status)
    values (${companyId}, ${offer.title}, ${offer.required}, ${offer.nice}, ${offer.level},
      ${offer.city}, 'hybrid', 'published')
    returning id`;
  return job.id;
}

/** Creates and publishes one offer, and matches it; rolls it all back. */
function matchOneNewOffer(sql: postgres.Sql, companyId: string, offer: typeof OFFERS[number]) {
  return rolledBack(sql, async (transaction) => {
    const jobId = await insertOffer(transaction, companyId, offer);
    return timedRematch(transaction, [jobId], []);
  });
}

/** Items per second when `run(0…count - 1)` runs `cores` at a time. */
async function perSecond(count: number, run: (index: number) => Promise<unknown>) {
  const startedAt = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: cores }, async () => {
    while (next < count) await run(next++);
  }));
  return count / ((performance.now() - startedAt) / 1000);
}

/**
 * A candidate's three cases, rolled back: first match (nothing stored yet), the same again
 * (nothing changed: scoring only), and after moving to another city (every match rescored).
 */
function matchOneCandidate(sql: postgres.Sql, candidateId: string) {
  return rolledBack(sql, async (transaction) => {
    // A candidate never matched has no list floor (settleListFloors gave every profile one).
    await transaction`
      update private.candidate_match_profiles set list_floor = null
      where candidate_id = ${candidateId}`;
    const first = await timedRematch(transaction, [], [candidateId]);
    const unchanged = await timedRematch(transaction, [], [candidateId]);
    await transaction`
      update public.candidates
      set location = case when location = 'Brest' then 'Annecy' else 'Brest' end
      where id = ${candidateId}`;
    const moved = await timedRematch(transaction, [], [candidateId]);
    return { first, unchanged, moved };
  });
}

/**
 * A candidate's pairs scored and nothing else, the floor under a candidate's run on this machine:
 * every offer sharing a key skill (what the scoring view gives), and only the offers within reach
 * (what a settled run scores). Counted, not stored: no writing, no alerts, no comparison.
 */
async function scoreOneCandidateOnly(sql: postgres.Sql, candidateId: string) {
  const timed = async (query: () => Promise<{ pairs: number }[]>) => {
    const startedAt = performance.now();
    const [{ pairs }] = await query();
    return { ms: performance.now() - startedAt, pairs };
  };
  const everyOffer = await timed(() =>
    sql<{ pairs: number }[]>`
      select count(*)::int as pairs
      from (
        select fit.match_score from private.job_candidate_scores as fit
        where fit.candidate_id = ${candidateId} offset 0
      ) as fit
      where fit.match_score >= (select min_score from private.match_settings())`
  );
  const withinReach = await timed(() =>
    sql<{ pairs: number }[]>`
      select count(*)::int as pairs
      from private.candidate_pairs_by_reach(${[candidateId]}::uuid[], null, '{}', true)`
  );
  return { everyOffer, withinReach };
}

const p50 = (values: number[]) => summarize(values).p50;

/**
 * p50 of each part of the runs' time; "other" is the client's time minus the parts. The total's
 * p90 too: the candidates not settled within reach are the slowest third.
 */
function breakdown(runs: Run[]) {
  return {
    total: p50(runs.map((run) => run.ms)),
    "total p90": summarize(runs.map((run) => run.ms)).p90,
    scoring: p50(runs.map((run) => run.summary.ms.scoring)),
    writing: p50(runs.map((run) => run.summary.ms.writing)),
    alerts: p50(runs.map((run) => run.summary.ms.alerts)),
    other: p50(
      runs.map((run) =>
        run.ms - run.summary.ms.scoring - run.summary.ms.writing - run.summary.ms.alerts
      ),
    ),
    matches: p50(runs.map((run) => run.summary.matches)),
    written: p50(runs.map((run) => run.summary.added + run.summary.rescored + run.summary.removed)),
  };
}

/**
 * Gives the profiles the list floors they have in production, where every offer and candidate
 * was matched once when it was published or signed up, and again as the others grew: the
 * bulk-loaded data never was, and a profile without a floor keeps no pair of the other side's
 * runs. Every profile gets the median floor of a sample matched for real (rolled back), again at
 * each size: a new offer then enters the lists of the candidates it is one of the best offers
 * for, as it would.
 */
async function settleListFloors(sql: postgres.Sql): Promise<{ offer: number; candidate: number }> {
  const sample = 20;
  const floors = await rolledBack(sql, async (transaction) => {
    const jobIds = (await transaction<{ id: string }[]>`
      select job_id as id from private.job_match_profiles order by job_id limit ${sample}`)
      .map((row) => row.id);
    const candidateIds = (await transaction<{ id: string }[]>`
      select candidate_id as id from private.candidate_match_profiles
      order by candidate_id limit ${sample}`).map((row) => row.id);
    for (const id of jobIds) await transaction`select private.rematch(${[id]}::uuid[], '{}')`;
    for (const id of candidateIds) await transaction`select private.rematch('{}', ${[id]}::uuid[])`;
    const [median] = await transaction<{ offer: number; candidate: number }[]>`
      select
        (select percentile_disc(0.5) within group (order by list_floor)
         from private.job_match_profiles where job_id = any (${jobIds}::uuid[])) as offer,
        (select percentile_disc(0.5) within group (order by list_floor)
         from private.candidate_match_profiles where candidate_id = any (${candidateIds}::uuid[]))
          as candidate`;
    return median;
  });
  await sql`update private.job_match_profiles set list_floor = ${floors.offer}
            where list_floor is distinct from ${floors.offer}`;
  await sql`update private.candidate_match_profiles set list_floor = ${floors.candidate}
            where list_floor is distinct from ${floors.candidate}`;
  return floors;
}

async function seedUpTo(sql: postgres.Sql, options: Options, candidates: number, offers: number) {
  const [have] = await sql<{ candidates: number; offers: number; companies: number }[]>`
    select (select count(*)::int from public.candidates) as candidates,
      (select count(*)::int from public.jobs) as offers,
      (select count(*)::int from public.companies) as companies`;
  const missingCandidates = Math.max(0, candidates - have.candidates);
  const missingOffers = Math.max(0, offers - have.offers);
  if (missingCandidates === 0 && missingOffers === 0 && have.companies > 0) return;
  await seedLargeDataSet({
    candidates: missingCandidates,
    companies: have.companies === 0 || missingOffers > 0 ? Math.ceil(missingOffers / 25) || 1 : 0,
    jobs: missingOffers,
    posts: 0,
    databaseUrl: options.databaseUrl,
  });
}

const options = parseOptions(Deno.args);
const cores = navigator.hardwareConcurrency;
const sql = postgres(options.databaseUrl, { max: cores, onnotice: () => {} });

const offerRows: Record<string, string | number>[] = [];
const breakdownRows: Record<string, string | number>[] = [];
const sustainedRows: Record<string, string | number>[] = [];
const floorRows: Record<string, string | number>[] = [];
const scoringOnlyRows: Record<string, string | number>[] = [];
const results = [];
let referenceBefore = 0;
for (const [sizeIndex, size] of options.sizes.entries()) {
  await seedUpTo(sql, options, size, sizeIndex === 0 ? options.offers : 0);
  const listFloors = await settleListFloors(sql);
  // As the nightly jobs leave them (order-offer-profiles, order-candidate-profiles), after the load
  // and the floors' update.
  const [ordered] = await sql<{ offers: { ms: number }; candidates: { ms: number } }[]>`
    select private.order_match_profiles('job_match_profiles') as offers,
      private.order_match_profiles('candidate_match_profiles') as candidates`;
  if (sizeIndex === 0) referenceBefore = await referenceQueryMs(sql);
  const [{ open, offers }] = await sql<{ open: number; offers: number }[]>`
    select (select count(*)::int from public.candidates where open_to_work) as open,
      (select count(*)::int from public.jobs
       where status = 'published' and moderation_status = 'approved') as offers`;
  const [{ id: companyId }] = await sql<{ id: string }[]>`select id from public.companies limit 1`;

  // One new offer at a time, after a warm-up run (the first run pays for cold caches).
  await matchOneNewOffer(sql, companyId, OFFERS[0]);
  const offerRuns: Run[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const offer of OFFERS) {
      const run = await matchOneNewOffer(sql, companyId, offer);
      offerRuns.push(run);
      if (round === 0) {
        offerRows.push({
          candidates: size,
          offer: offer.title,
          "matched (ms)": run.ms,
          "matches": run.summary.matches,
          "stored": run.summary.added,
          "alerts asked": run.summary.alerts,
        });
      }
    }
  }
  const offerSide = breakdown(offerRuns);
  breakdownRows.push({ case: `offer vs ${size} candidates`, ...offerSide });

  // One candidate against every published offer: candidates of every trade, never matched.
  const candidateIds = (await sql<{ id: string }[]>`
    select candidate.id from public.candidates as candidate
    where candidate.open_to_work and cardinality(candidate.match_skills) > 0
      and not exists (select 1 from public.job_matches as match
                      where match.candidate_id = candidate.id)
    order by candidate.id limit ${5 * options.rounds}`).map((row) => row.id);
  await matchOneCandidate(sql, candidateIds[0]);
  const candidateRuns = { first: [] as Run[], unchanged: [] as Run[], moved: [] as Run[] };
  for (const candidateId of candidateIds) {
    const runs = await matchOneCandidate(sql, candidateId);
    candidateRuns.first.push(runs.first);
    candidateRuns.unchanged.push(runs.unchanged);
    candidateRuns.moved.push(runs.moved);
  }
  // Their pairs scored alone, in the same run: what no writer can go under.
  await scoreOneCandidateOnly(sql, candidateIds[0]);
  const scoredOnly = [];
  for (const candidateId of candidateIds) {
    scoredOnly.push(await scoreOneCandidateOnly(sql, candidateId));
  }
  const candidateScoringOnly = {
    everyOfferMs: p50(scoredOnly.map((run) => run.everyOffer.ms)),
    everyOfferPairs: p50(scoredOnly.map((run) => run.everyOffer.pairs)),
    withinReachMs: p50(scoredOnly.map((run) => run.withinReach.ms)),
    withinReachPairs: p50(scoredOnly.map((run) => run.withinReach.pairs)),
  };
  scoringOnlyRows.push({
    candidates: size,
    "every offer sharing a key skill (ms)": candidateScoringOnly.everyOfferMs,
    "pairs": candidateScoringOnly.everyOfferPairs,
    "offers within reach (ms)": candidateScoringOnly.withinReachMs,
    "pairs within reach": candidateScoringOnly.withinReachPairs,
  });
  const candidateSide = {
    first: breakdown(candidateRuns.first),
    unchanged: breakdown(candidateRuns.unchanged),
    moved: breakdown(candidateRuns.moved),
  };
  breakdownRows.push(
    { case: `candidate vs ${offers} offers, first match`, ...candidateSide.first },
    { case: `candidate vs ${offers} offers, unchanged`, ...candidateSide.unchanged },
    { case: `candidate vs ${offers} offers, moved city`, ...candidateSide.moved },
  );

  // Sustained: options.jobs offers, `cores` at a time, each created and matched in one transaction.
  const offersPerSecond = await perSecond(
    options.jobs,
    (index) => matchOneNewOffer(sql, companyId, OFFERS[index % OFFERS.length]),
  );
  // As the worker sees them: the offers committed first, then matched (rolled back), `cores` at a
  // time. Publishing an offer locks rows other offers share (the search vocabulary's counters)
  // until its transaction ends: above, until its matching ends too. Deleted afterwards.
  const committedIds = await sql.begin(async (transaction) => {
    const ids: string[] = [];
    for (let index = 0; index < options.jobs; index++) {
      ids.push(await insertOffer(transaction, companyId, OFFERS[index % OFFERS.length]));
    }
    return ids;
  });
  const committedPerSecond = await perSecond(
    options.jobs,
    (index) =>
      rolledBack(sql, (transaction) => timedRematch(transaction, [committedIds[index]], [])),
  );
  await sql`delete from public.jobs where id = any (${committedIds}::uuid[])`;
  floorRows.push({
    candidates: size,
    "offers' floor": listFloors.offer,
    "candidates' floor": listFloors.candidate,
    "offers put in skill order (ms)": ordered.offers.ms,
    "candidates put in skill order (ms)": ordered.candidates.ms,
  });
  sustainedRows.push({
    candidates: size,
    offers: options.jobs,
    connections: cores,
    "offers/s": offersPerSecond,
    "offers/s, committed first": committedPerSecond,
    "p50 one offer (ms)": offerSide.total,
  });
  const offerMs: LatencySummary = summarize(offerRuns.map((run) => run.ms));
  results.push({
    candidates: size,
    openToWork: open,
    publishedOffers: offers,
    listFloors,
    singleOfferMs: offerMs,
    singleOfferBreakdownP50: offerSide,
    candidateBreakdownP50: candidateSide,
    candidateFirstMatchMs: summarize(candidateRuns.first.map((run) => run.ms)),
    candidateScoringOnlyP50: candidateScoringOnly,
    sustained: {
      offers: options.jobs,
      connections: cores,
      offersPerSecond,
      committedFirstOffersPerSecond: committedPerSecond,
    },
  });
}
const referenceAfter = await referenceQueryMs(sql);
await sql.end();

console.log(`\n${describeReference(referenceBefore, referenceAfter)}`);
console.log(
  "\nList floors given to every profile (median of 20 offers and 20 candidates matched), and the " +
    "nightly rewrite of the profiles in skill order\n",
);
printTable(floorRows);
console.log("\nOne new offer matched against every candidate (private.rematch), first round\n");
printTable(offerRows);
console.log(
  "\nWhere a match's time goes (p50 ms of every run, and the total's p90; written = rows added, rescored, removed)\n",
);
printTable(breakdownRows);
console.log(
  "\nThe same candidates' pairs scored and nothing else (p50 ms, counted: no writing, no alerts)\n",
);
printTable(scoringOnlyRows);
console.log("\nSustained\n");
printTable(sustainedRows);
const path = await writeResults("matching", results, {
  referenceQueryMs: { before: referenceBefore, after: referenceAfter },
});
console.log(`\nWritten to ${path}`);
