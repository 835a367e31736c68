/**
 * The pg_net stand-in's worker in a process of its own, as pg_net's is a background worker of its
 * own: a fault test can stop it (SIGSTOP) and let it go on (SIGCONT) without touching the rest of
 * the platform. Its pid is written to `pidFile` while it runs.
 */
const MAIN_PATH = new URL("./main.ts", import.meta.url).pathname;
const READY_LINE = "listening for requests";

export interface NetWorkerProcess {
  /** Resolves once the worker listens for wake-ups; rejects if it exits before. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function spawnNetWorker(
  options: { denoPath: string; databaseUrl: string; pidFile: string },
): NetWorkerProcess {
  const child = new Deno.Command(options.denoPath, {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--quiet",
      MAIN_PATH,
      "--db-url",
      options.databaseUrl,
    ],
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).spawn();
  Deno.writeTextFileSync(options.pidFile, `${child.pid}\n`);

  let markReady!: () => void;
  let markFailed!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  const relayed = (async () => {
    let partialLine = "";
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      const lines = (partialLine + text).split("\n");
      partialLine = lines.pop()!;
      for (const line of lines) {
        if (line.includes(READY_LINE)) markReady();
        else console.error(line);
      }
    }
  })();
  const exited = child.status.then((status) => {
    markFailed(new Error(`the pg_net worker exited with code ${status.code}`));
    return status;
  });

  return {
    ready,
    async stop() {
      try {
        child.kill("SIGCONT"); // a stopped process cannot handle SIGTERM
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await Promise.all([exited, relayed]);
      await Deno.remove(options.pidFile).catch(() => {});
    },
  };
}
