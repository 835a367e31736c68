// Debian's Postgres 15 in a project-local data directory, configured like Supabase's image
// (pg_cron, and the real pg_net and supabase_vault when installed, preloaded; logical WAL for
// Realtime/wal2json).

import { run, runChecked } from "./process.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const PG_LIB = "/usr/lib/postgresql/15/lib";
/** Extensions with a library to preload when installed; local/extensions stands in for the others. */
const PRELOADABLE_EXTENSIONS = ["pg_net", "supabase_vault"];
const isRoot = Deno.uid() === 0;
/** Postgres refuses to run as root; as root we run it as Debian's `postgres` user. */
const serverUser = isRoot ? "postgres" : undefined;

export interface PostgresOptions {
  /** Directory holding this instance's state (`<stateDir>/pg` is the cluster). */
  stateDir: string;
  port: number;
  /** Test clusters trade durability for speed. */
  durable: boolean;
}

/**
 * Where the server's own files (cluster, socket, log) live. Beside the checkout's other state when
 * the server's user can reach it; as root in a checkout that `postgres` cannot enter (root's home,
 * any `mktemp -d`), in a directory of that user's home named after the checkout's state directory.
 */
export function serverDirectoryOf(stateDir: string): string {
  if (!serverUser || canReach(serverUser, stateDir)) return stateDir;
  const digest = new TextEncoder().encode(stateDir).reduce(
    (hash, byte) => (Math.imul(hash, 16777619) ^ byte) >>> 0,
    2166136261,
  );
  const name = stateDir.split("/").pop();
  return `/var/lib/postgresql/emploi-plus/${name}-${digest.toString(16).padStart(8, "0")}`;
}

/** Whether `user` can traverse every directory down to `path`'s nearest existing ancestor. */
function canReach(user: string, path: string): boolean {
  let existing = path;
  while (existing !== "/") {
    try {
      Deno.statSync(existing);
      break;
    } catch {
      existing = existing.replace(/\/[^/]*$/, "") || "/";
    }
  }
  const probe = new Deno.Command("runuser", {
    args: ["-u", user, "--", "test", "-x", existing],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  return probe.success;
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

export class LocalPostgres {
  readonly serverDir: string;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly logFile: string;

  constructor(readonly options: PostgresOptions) {
    this.serverDir = serverDirectoryOf(options.stateDir);
    this.dataDir = `${this.serverDir}/pg`;
    this.socketDir = `${this.serverDir}/run`;
    this.logFile = `${this.serverDir}/postgres.log`;
  }

  /**
   * The libraries the server preloads: pg_cron, and the real pg_net (its background worker sends
   * the requests, so the local net worker must not) and supabase_vault where they are installed.
   */
  get preloadedLibraries(): string[] {
    return [
      "pg_cron",
      ...PRELOADABLE_EXTENSIONS.filter((name) => fileExists(`${PG_LIB}/${name}.so`)),
    ];
  }

  get port(): number {
    return this.options.port;
  }

  /** URL of the `postgres` role, as `supabase start` prints it. */
  get url(): string {
    return `postgresql://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  async exists(): Promise<boolean> {
    try {
      await Deno.stat(`${this.dataDir}/PG_VERSION`);
      return true;
    } catch {
      return false;
    }
  }

  async isRunning(): Promise<boolean> {
    if (!(await this.exists())) return false;
    const status = await run([`${PG_BIN}/pg_ctl`, "status", "-D", this.dataDir], {
      asUser: serverUser,
    });
    return status.code === 0;
  }

  /** Creates the cluster (initdb) if it does not exist yet. Returns true when it was created. */
  async ensureCluster(): Promise<boolean> {
    if (await this.exists()) return false;
    await Deno.mkdir(this.options.stateDir, { recursive: true, mode: 0o755 });
    await Deno.mkdir(this.socketDir, { recursive: true, mode: 0o755 });
    if (isRoot) await runChecked(["chown", "-R", "postgres:postgres", this.serverDir]);
    await runChecked([
      `${PG_BIN}/initdb`,
      "-D",
      this.dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
      "--no-instructions",
    ], { asUser: serverUser });
    await Deno.writeTextFile(
      `${this.dataDir}/postgresql.conf`,
      "\ninclude_if_exists = 'platform.conf'\n",
      { append: true },
    );
    return true;
  }

  /** Starts the server (no-op when it already runs), with the settings of this instance. */
  async start(): Promise<void> {
    await this.writeSettings();
    if (await this.isRunning()) return;
    await runChecked([
      `${PG_BIN}/pg_ctl`,
      "start",
      "-w",
      "-t",
      "60",
      "-D",
      this.dataDir,
      "-l",
      this.logFile,
    ], { asUser: serverUser });
  }

  /** Stops the server and removes its cluster, for a fresh start. */
  async destroy(): Promise<void> {
    await this.stop();
    await Deno.remove(this.serverDir, { recursive: true }).catch(() => {});
  }

  async stop(): Promise<void> {
    if (!(await this.isRunning())) return;
    await runChecked([`${PG_BIN}/pg_ctl`, "stop", "-w", "-m", "fast", "-D", this.dataDir], {
      asUser: serverUser,
    });
  }

  /** Runs SQL through psql as the postgres superuser; fails on the first error. */
  async psql(sql: string, database = "postgres"): Promise<string> {
    const result = await runChecked([...this.psqlCommand(database), "-At", "-c", sql]);
    return result.stdout.trim();
  }

  /** Applies a SQL file as the postgres superuser. */
  async psqlFile(path: string, database = "postgres"): Promise<void> {
    await runChecked([...this.psqlCommand(database), "-f", path]);
  }

  private psqlCommand(database: string): string[] {
    return [
      `${PG_BIN}/psql`,
      "-h",
      "127.0.0.1",
      "-p",
      String(this.port),
      "-U",
      "postgres",
      "-d",
      database,
      "-v",
      "ON_ERROR_STOP=1",
      "-X",
      "-q",
    ];
  }

  private async writeSettings(): Promise<void> {
    const durability = this.options.durable
      ? []
      : ["fsync = off", "synchronous_commit = off", "full_page_writes = off"];
    const settings = [
      `port = ${this.port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${this.socketDir}'`,
      "max_connections = 200",
      "shared_buffers = 256MB",
      `shared_preload_libraries = '${this.preloadedLibraries.join(",")}'`,
      "cron.database_name = 'postgres'",
      "cron.use_background_workers = on",
      "max_worker_processes = 32",
      "wal_level = logical",
      "max_replication_slots = 10",
      "max_wal_senders = 10",
      "log_min_messages = warning",
      ...durability,
    ];
    await Deno.writeTextFile(`${this.dataDir}/platform.conf`, settings.join("\n") + "\n");
    if (isRoot) await runChecked(["chown", "postgres:postgres", `${this.dataDir}/platform.conf`]);
  }
}
