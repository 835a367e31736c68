// The local database of one platform instance: the cluster, the Supabase stand-ins, the migrations.

import { type Environment, projectRoot } from "./environments.ts";
import { detail, step } from "./log.ts";
import { LocalPostgres } from "./postgres.ts";
import { bootstrapPlatform, installStandInExtensions, pushMigrations } from "./provision.ts";

export function postgresOf(environment: Environment): LocalPostgres {
  return new LocalPostgres({
    stateDir: environment.stateDir,
    port: environment.databasePort,
    durable: environment.durable,
  });
}

/** Starts Postgres and makes its database current: stand-ins, then pending migrations. */
export async function prepareDatabase(
  environment: Environment,
  options: { seed: boolean },
): Promise<LocalPostgres> {
  const postgres = postgresOf(environment);
  step(`Starting Postgres 15 on port ${environment.databasePort}`);
  const created = await postgres.ensureCluster();
  if (created) detail(`new cluster in ${postgres.dataDir}`);
  await postgres.start();
  step("Installing Supabase platform stand-ins (roles, auth, realtime, pgmq, pg_net, vault)");
  await installStandInExtensions(projectRoot);
  await bootstrapPlatform(postgres, projectRoot);
  const seedMarker = `${environment.stateDir}/seeded`;
  const needsSeed = options.seed && !(await exists(seedMarker));
  await pushMigrations(postgres, projectRoot, { seed: needsSeed });
  if (needsSeed) await Deno.writeTextFile(seedMarker, new Date().toISOString() + "\n");
  return postgres;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
