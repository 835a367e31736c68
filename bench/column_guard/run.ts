// Column guard benchmark: what the BEFORE UPDATE guard that names a refused column
// (_refuse_unwritable_columns, 20261201182000_column_write_refusals.sql) costs a member's updates.
// Peer in the same run: the same statement with the guard disabled inside its own transaction
// (ALTER TABLE … DISABLE TRIGGER, rolled back with it, so nothing else ever runs unguarded).
//
// Cases, as a signed-in member (SET LOCAL ROLE authenticated + request.jwt.claims, as PostgREST):
// a profile edit (one row), and marking ROWS notifications read in one statement (the largest
// member update). Samples alternate guarded and unguarded; each is one transaction, rolled back.
//
// Runs against a running platform: start `npm start`, then
//   deno run -A bench/column_guard/run.ts [--samples 30] [--rows 1000]
// Results: bench/results/column_guard.json.

import { parseArgs } from "node:util";
import type postgres from "postgres";
import { sql } from "../../tests/_support/platform.ts";
import { printTable, summarize, writeResults } from "../_support/stats.ts";

const { values: args } = parseArgs({
  options: {
    samples: { type: "string", default: "30" },
    rows: { type: "string", default: "1000" },
  },
});
const SAMPLES = Number(args.samples);
const ROWS = Number(args.rows);

const memberId = crypto.randomUUID();
// A member as GoTrue signs one up: the sign-up trigger creates the profile.
await sql`
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
    email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', ${memberId}, 'authenticated', 'authenticated',
    ${`bench-guard-${memberId}@bench.emploi.test`}, '', now(),
    '{"provider": "email", "providers": ["email"]}', '{"role": "candidate"}', now(), now())`;
await sql`
  insert into public.notifications (user_id, type, title)
  select ${memberId}, 'system', 'Bench ' || n from generate_series(1, ${ROWS}::int) as n`;

interface Case {
  name: string;
  table: string;
  update: (transaction: postgres.TransactionSql, round: number) => Promise<unknown>;
}
const cases: Case[] = [
  {
    name: "profile edit (1 row)",
    table: "profiles",
    update: (transaction, round) =>
      transaction`update public.profiles set full_name = ${`Bench ${round}`} where id = ${memberId}`,
  },
  {
    name: `mark ${ROWS} notifications read`,
    table: "notifications",
    update: (transaction) =>
      transaction`update public.notifications set read_at = now() where user_id = ${memberId}`,
  },
];

class Rollback extends Error {}

/** Milliseconds of the member's statement, in a transaction that is rolled back. */
async function timed(benchCase: Case, guarded: boolean, round: number): Promise<number> {
  let elapsed = NaN;
  await sql.begin(async (transaction) => {
    if (!guarded) {
      await transaction.unsafe(
        `alter table public.${benchCase.table} disable trigger _refuse_unwritable_columns`,
      );
    }
    await transaction`
      select set_config('request.jwt.claims',
        ${JSON.stringify({ sub: memberId, role: "authenticated" })}, true)`;
    await transaction`set local role authenticated`;
    const startedAt = performance.now();
    await benchCase.update(transaction, round);
    elapsed = performance.now() - startedAt;
    throw new Rollback();
  }).catch((error) => {
    if (!(error instanceof Rollback)) throw error;
  });
  return elapsed;
}

const rows = [];
const results: Record<string, unknown> = {};
for (const benchCase of cases) {
  const samples = { guarded: [] as number[], unguarded: [] as number[] };
  for (let round = 0; round < SAMPLES + 2; round++) {
    const guarded = await timed(benchCase, true, round);
    const unguarded = await timed(benchCase, false, round);
    if (round < 2) continue; // warm-up
    samples.guarded.push(guarded);
    samples.unguarded.push(unguarded);
  }
  for (const [variant, durations] of Object.entries(samples)) {
    const summary = summarize(durations);
    rows.push({
      case: benchCase.name,
      variant,
      p50_ms: summary.p50,
      p90_ms: summary.p90,
      mean_ms: summary.mean,
    });
    results[`${benchCase.name}, ${variant}`] = summary;
  }
}
printTable(rows);
console.log(
  `wrote ${await writeResults("column_guard", { samples: SAMPLES, rows: ROWS, results })}`,
);

await sql`delete from auth.users where id = ${memberId}`;
await sql.end();
