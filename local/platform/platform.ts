// Brings one local platform instance up: Postgres, the Supabase stand-ins, the migrations, what
// the installed extensions lack (the pg_net worker of the stand-in, pg_cron's seconds schedules)
// and the API gateway. Shared by `npm start` and `npm test`.

import { startSecondsScheduler } from "../cron-seconds/scheduler.ts";
import { startGateway } from "../gateway/server.ts";
import { startStudio } from "../gateway/studio.ts";
import { spawnNetWorker } from "../net-worker/process.ts";
import { prepareDatabase } from "./database.ts";
import { type Environment, projectRoot } from "./environments.ts";
import { loadOrCreateKeys, type PlatformKeys } from "./keys.ts";
import { step } from "./log.ts";
import type { LocalPostgres } from "./postgres.ts";

export interface RunningPlatform {
  postgres: LocalPostgres;
  keys: PlatformKeys;
  apiUrl: string;
  apiPort: number;
  /** Supabase Studio (lite's build), next to the database port as with `supabase start`. */
  studioUrl: string;
  /** Stops the services, then Postgres. */
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** Load supabase/seed.sql when the database is new. */
  seed: boolean;
  /** Restart Edge Functions when their code changes. */
  watch: boolean;
  functionsEnv?: Record<string, string>;
}

export async function startPlatform(
  environment: Environment,
  options: PlatformOptions,
): Promise<RunningPlatform> {
  const postgres = await prepareDatabase(environment, { seed: options.seed });
  const keys = await loadOrCreateKeys(environment.stateDir);
  const apiUrl = `http://127.0.0.1:${environment.apiPort}`;
  await configureProjectSettings(postgres, apiUrl, keys);

  // The real pg_net sends its requests from its own background worker.
  const netWorker = postgres.preloadedLibraries.includes("pg_net") ? undefined : spawnNetWorker({
    denoPath: Deno.execPath(),
    databaseUrl: postgres.url,
    pidFile: netWorkerPidFile(environment),
  });
  if (netWorker) {
    step("Starting the pg_net worker");
    await netWorker.ready;
  }
  const cronVersion = await postgres.psql(
    "select extversion from pg_extension where extname = 'pg_cron'",
  );
  const secondsScheduler = olderThan(cronVersion, [1, 5])
    ? startSecondsScheduler({ databaseUrl: postgres.url })
    : undefined;
  if (secondsScheduler) step(`Running pg_cron ${cronVersion}'s missing seconds schedules`);
  step(`Starting the API gateway on ${apiUrl}`);
  const context = { databaseUrl: postgres.url, apiUrl, keys, projectRoot, watch: options.watch };
  const gateway = await startGateway(
    context,
    {
      port: environment.apiPort,
      storageDir: `${environment.stateDir}/storage`,
      functionsEnv: {
        WEBHOOK_SECRET: keys.webhookSecret,
        JWT_SECRET: keys.jwtSecret,
        ...options.functionsEnv,
      },
    },
  );

  const studio = await startStudio(context, environment.databasePort + 1);

  return {
    postgres,
    keys,
    apiUrl,
    apiPort: environment.apiPort,
    studioUrl: studio.url,
    async stop() {
      await studio.close();
      await gateway.close();
      await secondsScheduler?.stop();
      await netWorker?.stop();
      await postgres.stop();
    },
  };
}

/** Where the pid of the pg_net stand-in's worker is kept while it runs (for fault tests). */
export function netWorkerPidFile(environment: Environment): string {
  return `${environment.stateDir}/net-worker.pid`;
}

/** Whether an extension version such as `1.4-1` is older than `[major, minor]`. */
function olderThan(version: string, [major, minor]: [number, number]): boolean {
  const [actualMajor, actualMinor] = version.split("-")[0].split(".").map(Number);
  return actualMajor < major || (actualMajor === major && actualMinor < minor);
}

/**
 * The settings an operator stores in Vault on a hosted project (see README, "Deploying"):
 * where the functions are, and the secret pg_net presents to them.
 */
async function configureProjectSettings(
  postgres: LocalPostgres,
  apiUrl: string,
  keys: PlatformKeys,
): Promise<void> {
  const settings = { project_url: apiUrl, webhook_secret: keys.webhookSecret };
  for (const [name, value] of Object.entries(settings)) {
    await postgres.psql(`
      select case
        when exists (select 1 from vault.secrets where name = '${name}')
        then (select vault.update_secret(id, '${value}') from vault.secrets where name = '${name}')::text
        else vault.create_secret('${value}', '${name}')::text
      end`);
  }
}
