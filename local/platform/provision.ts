// Turns an empty local cluster into what a hosted Supabase database looks like before the
// project's own migrations, then applies those migrations with the real Supabase CLI.

import { detail, step } from "./log.ts";
import type { LocalPostgres } from "./postgres.ts";
import { runChecked } from "./process.ts";

/** Every control file in local/extensions says so in a comment; real extensions do not. */
const STAND_IN_MARKER = /local stand-in/i;

/**
 * Copies the stand-in extensions of `local/extensions/` into Postgres's extension directory,
 * except where a real extension of the same name is installed.
 */
export async function installStandInExtensions(projectRoot: string): Promise<void> {
  const shareDir = (await runChecked(["/usr/lib/postgresql/15/bin/pg_config", "--sharedir"]))
    .stdout.trim();
  const extensionDir = `${shareDir}/extension`;
  for await (const entry of Deno.readDir(`${projectRoot}/local/extensions`)) {
    if (!entry.isDirectory) continue;
    const name = entry.name;
    const installedControl = await readTextOrNull(`${extensionDir}/${name}.control`);
    if (installedControl !== null && !STAND_IN_MARKER.test(installedControl)) {
      detail(`${name}: real extension found, stand-in not installed`);
      continue;
    }
    for await (const file of Deno.readDir(`${projectRoot}/local/extensions/${name}`)) {
      if (!file.name.endsWith(".control") && !file.name.endsWith(".sql")) continue;
      const source = `${projectRoot}/local/extensions/${name}/${file.name}`;
      try {
        await Deno.copyFile(source, `${extensionDir}/${file.name}`);
      } catch (error) {
        if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
        throw new Error(
          `Cannot write ${extensionDir}: run once as root (or copy local/extensions/${name}/* there).`,
        );
      }
    }
  }
}

async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/** Roles, auth, realtime and test tooling: what the Supabase image provides. Idempotent. */
export async function bootstrapPlatform(postgres: LocalPostgres, projectRoot: string) {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${projectRoot}/local/bootstrap`)) {
    if (entry.isFile && entry.name.endsWith(".sql")) files.push(entry.name);
  }
  for (const file of files.sort()) {
    detail(`bootstrap ${file}`);
    await postgres.psqlFile(`${projectRoot}/local/bootstrap/${file}`);
  }
}

/** Applies supabase/migrations (and the seed, when asked) with the real Supabase CLI. */
export async function pushMigrations(
  postgres: LocalPostgres,
  projectRoot: string,
  options: { seed: boolean },
): Promise<void> {
  step(`Applying migrations with the Supabase CLI${options.seed ? " (and seed.sql)" : ""}`);
  const args = [
    `${projectRoot}/node_modules/.bin/supabase`,
    "db",
    "push",
    `--remote=${postgres.url}`,
    "--include-all",
    "--yes",
    "--agent=no",
  ];
  if (options.seed) args.push("--include-seed");
  const result = await runChecked(args, {
    cwd: projectRoot,
    env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
  for (const line of `${result.stdout}\n${result.stderr}`.split("\n")) {
    if (/^(Applying|Seeding|Finished|Remote database is up to date)/.test(line.trim())) {
      detail(line.trim());
    }
  }
}

/** Drops and recreates the `postgres` database, for `npm run db:reset`. */
export async function recreateDatabase(postgres: LocalPostgres): Promise<void> {
  await postgres.psql("drop database if exists postgres with (force)", "template1");
  await postgres.psql("create database postgres", "template1");
}
