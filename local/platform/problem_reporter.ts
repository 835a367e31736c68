// For the platform's background loops (pg_net worker, pg_cron seconds scheduler), which retry what
// fails while the database restarts: a problem is logged once when it appears and once when it
// clears, not at every retry.

export interface ProblemReporter {
  reportProblem(task: string, error: unknown): void;
  reportSuccess(task: string): void;
}

export function problemReporter(log: (message: string) => void): ProblemReporter {
  const problems = new Map<string, string>();
  return {
    reportProblem(task, error) {
      const message = error instanceof Error ? error.message : String(error);
      if (problems.get(task) !== message) log(`${task} failed: ${message} (will retry)`);
      problems.set(task, message);
    },
    reportSuccess(task) {
      if (problems.delete(task)) log(`${task} works again`);
    },
  };
}
