// `npm start | stop | test | run db:reset | run generate | run seed:large` — see README.md.

import { environments } from "./environments.ts";
import { detail, fail, step } from "./log.ts";
import { postgresOf, prepareDatabase } from "./database.ts";
import type { RunningPlatform } from "./platform.ts";
import { recreateDatabase } from "./provision.ts";

function printBanner(platform: RunningPlatform): void {
  const { keys, apiUrl, postgres } = platform;
  const rows: [string, string][] = [
    ["API URL", apiUrl],
    ["REST URL", `${apiUrl}/rest/v1`],
    ["Auth URL", `${apiUrl}/auth/v1`],
    ["Functions URL", `${apiUrl}/functions/v1`],
    ["Realtime URL", `${apiUrl.replace(/^http/, "ws")}/realtime/v1`],
    ["Studio URL", platform.studioUrl],
    ["DB URL", postgres.url],
    ["Publishable key", keys.publishableKey],
    ["Secret key", keys.secretKey],
    ["anon key", keys.anonKey],
    ["service_role key", keys.serviceRoleKey],
    ["JWT secret", keys.jwtSecret],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log("\nEmploi+ local Supabase is running.\n");
  for (const [label, value] of rows) console.log(`${label.padStart(width)}: ${value}`);
  console.log("\nPress Ctrl-C to stop.");
}

async function start(): Promise<void> {
  const { startPlatform } = await import("./platform.ts");
  const platform = await startPlatform(environments.dev, { seed: true, watch: true });
  printBanner(platform);
  // SIGHUP too: a closed terminal must not leave Postgres (a daemon of its own) running.
  await new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      Deno.addSignalListener(signal, onSignal);
    }
  });
  step("Stopping");
  await platform.stop();
  step("Stopped");
}

async function stop(): Promise<void> {
  step("Stopping the local Postgres instances");
  for (const environment of Object.values(environments)) await postgresOf(environment).stop();
}

async function resetDatabase(): Promise<void> {
  const environment = environments.dev;
  const postgres = postgresOf(environment);
  const wasRunning = await postgres.isRunning();
  if (await postgres.exists()) {
    await postgres.start();
    step("Dropping the database");
    await recreateDatabase(postgres);
    await Deno.remove(`${environment.stateDir}/seeded`).catch(() => {});
  }
  await prepareDatabase(environment, { seed: true });
  if (!wasRunning) await postgres.stop();
  step("Database rebuilt from migrations and seed");
}

/** `npm run generate`: the contract's generated files, from a fresh database of the migrations. */
async function generate(): Promise<void> {
  const { generateContract, writeContract } = await import("./contract.ts");
  const environment = environments.contract;
  const postgres = postgresOf(environment);
  await postgres.destroy();
  try {
    await prepareDatabase(environment, { seed: false });
    step("Generating the contract (database.types.ts, docs/reference)");
    const files = await generateContract(postgres.url);
    await writeContract(files);
    for (const file of files) detail(`wrote ${file.path}`);
  } finally {
    await postgres.destroy();
  }
}

const commands: Record<string, (args: string[]) => Promise<void | number>> = {
  start,
  stop,
  test: async () => (await import("./test_suite.ts")).runTestSuite(),
  "db:start": async () => {
    const postgres = await prepareDatabase(environments.dev, { seed: true });
    step(`Database ready: ${postgres.url}`);
  },
  "db:reset": resetDatabase,
  generate,
  "seed:large": async (args) => (await import("./seed_large.ts")).seedLarge(args),
};

const [command, ...args] = Deno.args;
const handler = commands[command];
if (!handler) fail(`unknown command ${command}; one of: ${Object.keys(commands).join(", ")}`);
try {
  const exitCode = await handler(args);
  Deno.exit(typeof exitCode === "number" ? exitCode : 0);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
