// How fast the machine is during a run, as Postgres sees it. These shared 2-core machines are not
// equally fast from one day to the next (the same search twice as slow with nothing else running),
// so a run records a reference query before and after: figures from different runs compare through
// it, and versions of the code only within one run.

import type postgres from "postgres";

/** The reference: one core counting 2,000,000 generated rows. */
const REFERENCE_QUERY = "select count(*) from generate_series(1, 2000000)";

/** Milliseconds of the reference query, the best of five runs. */
export async function referenceQueryMs(sql: postgres.Sql): Promise<number> {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const startedAt = performance.now();
    await sql.unsafe(REFERENCE_QUERY);
    best = Math.min(best, performance.now() - startedAt);
  }
  return Math.round(best);
}

/** The line a benchmark prints with its tables. */
export function describeReference(before: number, after: number): string {
  return `reference query (${REFERENCE_QUERY}): ${before} ms before, ${after} ms after`;
}
