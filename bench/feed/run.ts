// Newsfeed benchmark: p50/p99 of get_feed (keyset on (created_at, id)) for page 1, page 100 and
// page 10,000 of a 1,000,000-post feed, next to the same pages read with LIMIT/OFFSET from
// v_newsfeed_feed. Both run as a signed-in member (role authenticated, JWT claims set as
// PostgREST sets them), so row-level security is part of the measure.
//
//   deno run -A bench/feed/run.ts [--posts 1000000] [--samples 100] [--db-url URL]
//
// Missing posts are added first with the large-data generator (local/platform/seed_large.ts).
// Prints a table and writes bench/results/feed.json.

import { parseArgs } from "node:util";
import postgres from "postgres";
import { seedLargeDataSet } from "../../local/platform/seed_large.ts";
import { printTable, summarize, timeRuns, writeResults } from "../_support/stats.ts";

const PAGE_SIZE = 20;
const PAGES = [1, 100, 10_000];
const WARM_UP_RUNS = 5;

const { values: args } = parseArgs({
  options: {
    posts: { type: "string", default: "1000000" },
    samples: { type: "string", default: "100" },
    "db-url": {
      type: "string",
      default: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
    },
  },
});
const options = {
  posts: Number(args.posts),
  samples: Number(args.samples),
  databaseUrl: args["db-url"],
};
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
    () =>
      sql`select * from public.get_feed(${cursor?.created_at ?? null}, ${
        cursor?.id ?? null
      }, ${PAGE_SIZE})`,
    options.samples,
    WARM_UP_RUNS,
  );
  const offset = await timeRuns(
    () =>
      sql`select * from public.v_newsfeed_feed where not is_pinned
        order by created_at desc, id desc limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`,
    options.samples,
    WARM_UP_RUNS,
  );
  results.push({ page, keyset: summarize(keyset), offset: summarize(offset) });
}
await sql.end();

console.log(
  `\nget_feed, ${visible.toLocaleString("en")} visible posts, ${PAGE_SIZE} per page, ` +
    `${options.samples} samples per cell (ms)\n`,
);
printTable(results.map(({ page, keyset, offset }) => ({
  page: page.toLocaleString("en"),
  "keyset p50": keyset.p50,
  "keyset p99": keyset.p99,
  "offset p50": offset.p50,
  "offset p99": offset.p99,
})));

const path = await writeResults("feed", {
  benchmark: "get_feed keyset vs OFFSET",
  visiblePosts: visible,
  pageSize: PAGE_SIZE,
  samples: options.samples,
  unit: "ms",
  results,
});
console.log(`\nWritten to ${path}`);
