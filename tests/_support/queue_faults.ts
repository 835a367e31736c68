// What the tests that break a queue worker mid-batch share: holding rows so the work blocks where
// the test wants it, and a job_matching worker in a process of its own, to be killed.

import type postgres from "postgres";
import { platform, sql } from "./platform.ts";

const root = new URL("../..", import.meta.url);

/** Runs `lock` in a transaction kept open until release(); resolves once the locks are held. */
export async function holdLocks(
  lock: (transaction: postgres.TransactionSql) => Promise<unknown>,
): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let holding!: () => void;
  const held = new Promise<void>((resolve) => holding = resolve);
  const transaction = sql.begin(async (transaction) => {
    await lock(transaction);
    holding();
    await released;
  }).catch(() => {/* its connection may die with the server */});
  await held;
  return {
    async release() {
      release();
      await transaction;
    },
  };
}

/** One batch of the job_matching processor on `queue` (2 s visibility), in its own process. */
export function spawnJobMatchingWorker(queue: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { platformDeps } from "${new URL("supabase/functions/_shared/platform.ts", root)}";
       import { processBatch } from "${new URL("supabase/functions/_shared/queue.ts", root)}";
       import { jobMatchingProcessor } from "${new URL(
        "supabase/functions/queue-worker/processors/job_matching.ts",
        root,
      )}";
       await processBatch(platformDeps(), {
         ...jobMatchingProcessor, queue: "${queue}", visibilityTimeoutSeconds: 2 });`,
    ],
    cwd: root.pathname,
    env: { SUPABASE_DB_URL: platform.databaseUrl },
    stdout: "null",
    stderr: "null",
  }).spawn();
}
