/**
 * Runs the pg_net stand-in's worker until SIGTERM or SIGINT:
 *
 *   deno run --allow-net --allow-env local/net-worker/main.ts --db-url postgres://… [--concurrency 200]
 *
 * The database URL may also come from DATABASE_URL.
 */
import { parseArgs } from "node:util";
import { startNetWorker } from "./worker.ts";

const { values } = parseArgs({
  options: {
    "db-url": { type: "string" },
    concurrency: { type: "string" },
  },
});

const databaseUrl = values["db-url"] ?? Deno.env.get("DATABASE_URL");
if (!databaseUrl) {
  console.error("usage: main.ts --db-url postgres://user@host:port/database [--concurrency N]");
  Deno.exit(2);
}
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
  console.error("--concurrency must be a positive integer");
  Deno.exit(2);
}

const worker = startNetWorker({ databaseUrl, concurrency });
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, async () => {
    await worker.stop();
    Deno.exit(0);
  });
}
await worker.ready;
console.error("[pg_net worker] listening for requests");
