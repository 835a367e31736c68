// `npm test`: static checks (deno fmt/lint/check, SQL style), a fresh test platform, pgTAP, deno
// tests and the Supabase advisors. Every step runs even when an earlier one failed, and the run
// ends with `N passed, N failed`.

import { environments, projectRoot } from "./environments.ts";
import { detail, step } from "./log.ts";
import { postgresOf } from "./database.ts";
import { type RunningPlatform, startPlatform } from "./platform.ts";
import { run } from "./process.ts";
import { GENERATE_COMMAND, generateContract, staleFiles } from "./contract.ts";
import { startEchoServer } from "../tests/echo_server.ts";
import { startOneSignalStandIn } from "../onesignal/server.ts";

interface StepOutcome {
  name: string;
  passed: number;
  failed: number;
}

const deno = `${projectRoot}/node_modules/.bin/deno`;
const TYPESCRIPT_ROOTS = ["local", "supabase/functions", "tests", "bench"];
const REFERENCE_CLIENT = "examples/reference-client";

/** A command that either passes or fails as a whole. */
async function checkCommand(name: string, command: string[], env?: Record<string, string>) {
  step(name);
  const result = await run(command, {
    cwd: projectRoot,
    env: { NO_COLOR: "1", ...env },
    inherit: true,
  });
  return { name, passed: result.code === 0 ? 1 : 0, failed: result.code === 0 ? 0 : 1 };
}

async function existingDirectories(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    try {
      if ((await Deno.stat(`${projectRoot}/${path}`)).isDirectory) found.push(path);
    } catch { /* absent */ }
  }
  return found;
}

async function sqlFiles(directory: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${projectRoot}/${directory}`)) {
      if (entry.isFile && entry.name.endsWith(".sql")) files.push(`${directory}/${entry.name}`);
    }
  } catch { /* absent */ }
  return files.sort();
}

async function pgTapStep(platform: RunningPlatform): Promise<StepOutcome> {
  const name = "pgTAP (pg_prove)";
  step(name);
  const files = [
    ...await sqlFiles("local/tests/database"),
    ...await sqlFiles("supabase/tests/database"),
  ];
  const { postgres } = platform;
  // pg_net's tests send requests to this server (app.echo_url).
  const echo = startEchoServer({ port: platform.apiPort + 10 });
  const result = await run([
    "pg_prove",
    "--verbose",
    "--host",
    "127.0.0.1",
    "--port",
    String(postgres.port),
    "--username",
    "postgres",
    "--dbname",
    "postgres",
    ...files,
  ], {
    cwd: projectRoot,
    env: { PGOPTIONS: `-c search_path=public,extensions -c app.echo_url=${echo.url}` },
  });
  await echo.close();
  const lines = result.stdout.split("\n");
  const passed = lines.filter((line) => /^\s*ok \d+/.test(line)).length;
  let failed = lines.filter((line) => /^\s*not ok \d+/.test(line)).length;
  for (const line of lines.concat(result.stderr.split("\n"))) {
    if (/not ok|Failed|Dubious|ERROR|Parse errors/.test(line)) console.log(line);
  }
  if (result.code !== 0 && failed === 0) failed = 1;
  detail(`${passed} assertions passed, ${failed} failed in ${files.length} files`);
  return { name, passed, failed };
}

/** The committed types and reference are what the migrations generate (contract.ts). */
async function contractStep(platform: RunningPlatform): Promise<StepOutcome> {
  const name = "generated contract is current (database.types.ts, docs/reference)";
  step(name);
  const files = await generateContract(platform.postgres.url);
  const stale = await staleFiles(files);
  for (const file of stale) {
    console.log(`${file.path} differs from what the schema generates, from line ${file.line}:`);
    console.log(`  committed: ${file.committed}`);
    console.log(`  generated: ${file.generated}`);
  }
  if (stale.length) console.log(`Regenerate with: ${GENERATE_COMMAND} (then commit the files)`);
  detail(`${files.length - stale.length} of ${files.length} files current`);
  return { name, passed: files.length - stale.length, failed: stale.length };
}

async function denoTestStep(
  platform: RunningPlatform,
  extraEnv: Record<string, string>,
): Promise<StepOutcome> {
  const name = "deno test";
  step(name);
  const { keys, apiUrl, postgres } = platform;
  const command = new Deno.Command(deno, {
    args: ["test", "--allow-all", "--no-prompt", "tests/"],
    cwd: projectRoot,
    env: {
      SUPABASE_URL: apiUrl,
      SUPABASE_DB_URL: postgres.url,
      SUPABASE_STUDIO_URL: platform.studioUrl,
      SUPABASE_PUBLISHABLE_KEY: keys.publishableKey,
      SUPABASE_SECRET_KEY: keys.secretKey,
      SUPABASE_ANON_KEY: keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      SUPABASE_JWT_SECRET: keys.jwtSecret,
      WEBHOOK_SECRET: keys.webhookSecret,
      // Which platform instance the fault tests kill and restart (its Postgres, its pg_net worker).
      LOCAL_PLATFORM_ENVIRONMENT: "test",
      ...extraEnv,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "inherit",
  });
  const child = command.spawn();
  let output = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    const text = decoder.decode(chunk, { stream: true });
    output += text;
    await Deno.stdout.write(chunk);
  }
  const status = await child.status;
  const summary = output.match(/(\d+) passed.*?\| (\d+) failed/);
  const passed = summary ? Number(summary[1]) : 0;
  let failed = summary ? Number(summary[2]) : 0;
  if (!status.success && failed === 0) failed = 1;
  return { name, passed, failed };
}

/** A `supabase db <command>` check against the test database, as the real CLI runs it. */
async function supabaseDbCheck(
  name: string,
  platform: RunningPlatform,
  args: string[],
): Promise<StepOutcome> {
  return await checkCommand(name, [
    `${projectRoot}/node_modules/.bin/supabase`,
    "db",
    ...args,
    `--remote=${platform.postgres.url}`,
    "--agent=no",
  ], { SUPABASE_TELEMETRY_DISABLED: "1" });
}

export async function runTestSuite(): Promise<number> {
  const outcomes: StepOutcome[] = [];
  const typescriptRoots = await existingDirectories(TYPESCRIPT_ROOTS);
  outcomes.push(await checkCommand("deno fmt --check", [deno, "fmt", "--check"]));
  outcomes.push(await checkCommand("deno lint", [deno, "lint"]));
  outcomes.push(await checkCommand("deno check", [deno, "check", ...typescriptRoots]));
  outcomes.push(
    await checkCommand("SQL style of the migrations (local/platform/sql_style.ts)", [
      deno,
      "run",
      "--allow-read",
      "local/platform/sql_style.ts",
    ]),
  );
  // Browser code: the DOM library, from its own deno.json.
  outcomes.push(
    await checkCommand("deno check (reference client, DOM)", [
      deno,
      "check",
      `--config=${REFERENCE_CLIENT}/deno.json`,
      `${REFERENCE_CLIENT}/main.ts`,
    ]),
  );

  const environment = environments.test;
  step("Fresh test database");
  await postgresOf(environment).destroy();
  await Deno.remove(environment.stateDir, { recursive: true }).catch(() => {});
  // Push, email and SMS go to the OneSignal stand-in, never to the real API.
  const oneSignal = startOneSignalStandIn({ port: environment.apiPort + 30 });
  const oneSignalEnv = {
    ONESIGNAL_API_URL: oneSignal.url,
    ONESIGNAL_APP_ID: oneSignal.appId,
    ONESIGNAL_REST_API_KEY: oneSignal.apiKey,
  };
  const platform = await startPlatform(environment, {
    seed: false,
    watch: false,
    functionsEnv: oneSignalEnv,
  });
  try {
    outcomes.push(await contractStep(platform));
    outcomes.push(await pgTapStep(platform));
    outcomes.push(await denoTestStep(platform, oneSignalEnv));
    outcomes.push(
      await supabaseDbCheck("supabase db advisors (WARN or worse fails)", platform, [
        "advisors",
        "--type=all",
        "--level=warn",
        "--fail-on=warn",
      ]),
    );
    // plpgsql_check over the product's functions: type and reference errors fail the run.
    outcomes.push(
      await supabaseDbCheck("supabase db lint (plpgsql_check, errors fail)", platform, [
        "lint",
        "--schema=public,private",
        "--level=error",
        "--fail-on=error",
      ]),
    );
  } finally {
    step("Stopping the test platform");
    await platform.stop();
    await oneSignal.close();
  }

  const passed = outcomes.reduce((sum, outcome) => sum + outcome.passed, 0);
  const failed = outcomes.reduce((sum, outcome) => sum + outcome.failed, 0);
  console.log("");
  for (const outcome of outcomes) {
    console.log(
      `${
        outcome.failed ? "✗" : "✓"
      } ${outcome.name}: ${outcome.passed} passed, ${outcome.failed} failed`,
    );
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
