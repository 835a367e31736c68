// Newsfeed benchmark: p50/p99 of get_feed (keyset on (created_at, id)) for page 1, page 100 and
// page 10,000 of a 1,000,000-post feed, next to the same pages read with LIMIT/OFFSET from
// v_newsfeed_feed. Both run as a signed-in member (role authenticated, JWT claims set as
// PostgREST sets them), so row-level security is part of the measure.
//
//   deno run -A bench/feed/run.ts [--posts 1000000] [--samples 100] [--db-url URL]
//
// Missing posts are added first with the large-data generator (local/platform/seed_large.ts).
// Prints a table and writes bench/results/feed.json.

import postgres from "postgres";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";

const PAGE_SIZE = 20;
const PAGES = [1, 100, 10_000];
const WARM_UP_RUNS = 5;

interface Options {
  posts: number;
  samples: number;
  databaseUrl: string;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    posts: 1_000_000,
    samples: 100,
    databaseUrl: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
  };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if (flag === "--posts") options.posts = Number(value);
    else if (flag === "--samples") options.samples = Number(value);
    else if (flag === "--db-url") options.databaseUrl = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

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

async function timeRuns(samples: number, query: () => Promise<unknown>): Promise<Percentiles> {
  for (let run = 0; run < WARM_UP_RUNS; run++) await query();
  const durations: number[] = [];
  for (let run = 0; run < samples; run++) {
    const startedAt = performance.now();
    await query();
    durations.push(performance.now() - startedAt);
  }
  return percentiles(durations);
}

const options = parseOptions(Deno.args);
const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });

const [{ posts }] = await sql<{ posts: number }[]>`select count(*)::int as posts from public.posts`;
if (posts < options.posts) {
  console.log(`The database has ${posts} posts; adding ${options.posts - posts}.`);
  await seedLargeDataSet({
    candidates: 0,
    companies: 0,
    jobs: 0,
    posts: options.posts - posts,
    databaseUrl: options.databaseUrl,
  });
}

// Where each page starts: the (created_at, id) of the last post of the page before, found once
// (as postgres) so that the keyset runs measure one page read each, as a client paging would.
const cursors = new Map<number, { created_at: Date; id: string } | null>();
for (const page of PAGES) {
  if (page === 1) {
    cursors.set(page, null);
    continue;
  }
  const [cursor] = await sql<{ created_at: Date; id: string }[]>`
    select created_at, id from public.posts
    where moderation_status = 'approved' and not is_flagged and not is_pinned
    order by created_at desc, id desc
    offset ${(page - 1) * PAGE_SIZE - 1} limit 1`;
  if (!cursor) throw new Error(`the feed has fewer than ${page} pages`);
  cursors.set(page, cursor);
}
const [{ visible }] = await sql<{ visible: number }[]>`
  select count(*)::int as visible from public.posts
  where moderation_status = 'approved' and not is_flagged`;
const [viewer] = await sql<{ id: string }[]>`
  select id from public.profiles where role = 'candidate' limit 1`;
if (!viewer) throw new Error("no candidate to read the feed as");

// From here on the connection is a signed-in member, for the rest of the session.
await sql`select set_config('request.jwt.claims', ${
  JSON.stringify({ sub: viewer.id, role: "authenticated" })
}, false)`;
await sql`set role authenticated`;

const results = [];
for (const page of PAGES) {
  const cursor = cursors.get(page) ?? null;
  const keyset = await timeRuns(
    options.samples,
    () =>
      sql`select * from public.get_feed(${cursor?.created_at ?? null}, ${
        cursor?.id ?? null
      }, ${PAGE_SIZE})`,
  );
  const offset = await timeRuns(
    options.samples,
    () =>
      sql`select * from public.v_newsfeed_feed where not is_pinned
        order by created_at desc, id desc limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`,
  );
  results.push({ page, keyset, offset });
}
await sql.end();

const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(11);
console.log(
  `\nget_feed, ${visible.toLocaleString("en")} visible posts, ${PAGE_SIZE} per page, ` +
    `${options.samples} samples per cell\n`,
);
console.log(
  `${"page".padEnd(8)}${"keyset p50".padStart(11)}${"keyset p99".padStart(12)}` +
    `${"offset p50".padStart(12)}${"offset p99".padStart(12)}`,
);
for (const { page, keyset, offset } of results) {
  console.log(
    `${page.toLocaleString("en").padEnd(8)}${ms(keyset.p50)} ${ms(keyset.p99)} ` +
      `${ms(offset.p50)} ${ms(offset.p99)}`,
  );
}

const resultsDirectory = new URL("../results/", import.meta.url);
await Deno.mkdir(resultsDirectory, { recursive: true });
await Deno.writeTextFile(
  new URL("feed.json", resultsDirectory),
  JSON.stringify(
    {
      benchmark: "get_feed keyset vs OFFSET",
      measuredAt: new Date().toISOString(),
      visiblePosts: visible,
      pageSize: PAGE_SIZE,
      samples: options.samples,
      unit: "ms",
      results,
    },
    null,
    2,
  ) + "\n",
);
console.log("\nWritten to bench/results/feed.json");
