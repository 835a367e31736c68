/**
 * What pg_cron 1.5 and later do for '[1-59] seconds' schedules, for Debian's pg_cron 1.4, which
 * has none (local/bootstrap/45_pg_cron_seconds.sql lets cron.schedule store them; README,
 * "Sub-minute schedules"). Started by the local platform only when pg_cron is older than 1.5.
 *
 * It reads the active jobs of `cron.job` twice a second and starts a job whose schedule is
 * 'N seconds' N seconds after its previous start, never two runs of one job at once, as pg_cron
 * does. Each run is recorded in `cron.job_run_details` the way pg_cron records it: `running` with
 * the session's pid when it starts, then `succeeded` with the command's tag or `failed` with the
 * error. The command runs in a session of its own, as the job's user, in one implicit transaction
 * (several statements allowed), like pg_cron's.
 */
import postgres from "postgres";
import { problemReporter } from "../platform/problem_reporter.ts";

const SECONDS_SCHEDULE = /^\s*([1-9]|[1-5][0-9])\s+seconds?\s*$/;
const APPLICATION_NAME = "pg_cron seconds scheduler";

export interface SecondsSchedulerOptions {
  /** postgres:// URL of a superuser of the database whose `cron.job` holds the jobs. */
  databaseUrl: string;
  /** How often cron.job is read, in milliseconds. Default 500. */
  tickMs?: number;
  /** Where problems and recoveries are reported. Default: stderr. */
  log?: (message: string) => void;
}

export interface SecondsScheduler {
  /** Stops starting runs and waits for the running ones. */
  stop(): Promise<void>;
}

interface CronJob {
  jobid: string;
  schedule: string;
  command: string;
  username: string;
}

export function startSecondsScheduler(options: SecondsSchedulerOptions): SecondsScheduler {
  const tickMs = options.tickMs ?? 500;
  const log = options.log ??
    ((message: string) => console.error(`[pg_cron seconds] ${message}`));
  const connection = { application_name: APPLICATION_NAME };
  const sql = postgres(options.databaseUrl, { max: 8, connection, onnotice: () => {} });

  const lastStart = new Map<string, number>();
  const runs = new Map<string, Promise<void>>();
  let stopping = false;
  let ticking: Promise<void> | undefined;

  const { reportProblem, reportSuccess } = problemReporter(log);

  async function tick() {
    let jobs: CronJob[];
    try {
      jobs = await sql<CronJob[]>`
        select job.jobid::text, job.schedule, job.command, job.username
        from cron.job as job
        where job.active and job.database = current_database()`;
      reportSuccess("reading cron.job");
    } catch (error) {
      reportProblem("reading cron.job", error);
      return;
    }
    const now = Date.now();
    for (const job of jobs) {
      const seconds = job.schedule.match(SECONDS_SCHEDULE)?.[1];
      if (!seconds || runs.has(job.jobid)) continue;
      const previous = lastStart.get(job.jobid);
      if (previous !== undefined && now - previous < Number(seconds) * 1000) continue;
      lastStart.set(job.jobid, now);
      const run = runJob(job).finally(() => runs.delete(job.jobid));
      runs.set(job.jobid, run);
    }
  }

  async function runJob(job: CronJob) {
    let runId: string;
    try {
      [{ runid: runId }] = await sql<{ runid: string }[]>`
        insert into cron.job_run_details
          (jobid, runid, database, username, command, status, start_time)
        values (${job.jobid}::bigint, nextval('cron.runid_seq'), current_database(),
          ${job.username}, ${job.command}, 'starting', now())
        returning runid::text`;
      reportSuccess("recording runs");
    } catch (error) {
      reportProblem("recording runs", error);
      return;
    }
    let status: "succeeded" | "failed" = "succeeded";
    let message: string;
    let session: postgres.ReservedSql | undefined;
    try {
      session = await sql.reserve();
      const [{ pid }] = await session<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await sql`
        update cron.job_run_details set status = 'running', job_pid = ${pid}
        where runid = ${runId}::bigint`;
      await session.unsafe(`set session authorization "${job.username.replaceAll('"', '""')}"`);
      const results = await session.unsafe(job.command).simple();
      // Several statements give one result each; pg_cron reports the last one's tag.
      const last = (Array.isArray(results[0]) ? results.at(-1) : results) as {
        command?: string;
        count?: number;
      };
      message = last.command ? `${last.command} ${last.count ?? 0}` : "";
    } catch (error) {
      status = "failed";
      message = error instanceof Error ? error.message : String(error);
    } finally {
      await session?.unsafe("reset session authorization").catch(() => {});
      session?.release();
    }
    try {
      await sql`
        update cron.job_run_details
        set status = ${status}, return_message = ${message}, end_time = now()
        where runid = ${runId}::bigint`;
    } catch (error) {
      // pg_cron marks runs left 'running' as failed when the server restarts.
      reportProblem("recording runs", error);
    }
  }

  const timer = setInterval(() => {
    if (!stopping && !ticking) ticking = tick().finally(() => ticking = undefined);
  }, tickMs);

  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      await ticking;
      await Promise.allSettled([...runs.values()]);
      await sql.end({ timeout: 5 });
    },
  };
}
