// One Edge Function running in its own `deno run` process, as the Edge Runtime gives each
// function its own isolate. The function's unchanged index.ts calls Deno.serve(); child_preload.ts
// binds that server to a Unix socket chosen here, so no TCP port is picked, raced for or exposed.

const PRELOAD_PATH = new URL("./child_preload.ts", import.meta.url).pathname;
const SOCKET_POLL_MS = 25;
/** First boots may download npm packages into the Deno cache. */
const BOOT_TIMEOUT_MS = 60_000;
/** How long a stopping function may finish in-flight requests and background work. */
const STOP_GRACE_MS = 5_000;
/** A reset connection can be seen this long before the process's exit status. */
const EXIT_NOTICE_MS = 200;

export interface FunctionLaunch {
  name: string;
  denoPath: string;
  entrypoint: string;
  /** deno.json the function resolves imports with, if any. */
  configPath?: string;
  cwd: string;
  socketPath: string;
  env: Record<string, string>;
}

/** The process ended (or never listened) before it could answer. */
export class FunctionExitedError extends Error {}

async function relayLines(
  stream: ReadableStream<Uint8Array>,
  write: (line: string) => void,
): Promise<void> {
  let partialLine = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (partialLine + text).split("\n");
    partialLine = lines.pop()!;
    lines.forEach(write);
  }
  if (partialLine) write(partialLine);
}

function describeExit(status: Deno.CommandStatus): string {
  return status.signal ? `signal ${status.signal}` : `code ${status.code}`;
}

export class FunctionProcess {
  readonly name: string;
  /** Resolves once the function listens; rejects with FunctionExitedError if it never does. */
  readonly ready: Promise<void>;
  /** Resolves when the process has ended and its socket and logs are released. */
  readonly exited: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;
  #client: Deno.HttpClient;
  #socketPath: string;
  #exitSignal = new AbortController();
  #stopRequested = false;

  constructor(launch: FunctionLaunch) {
    this.name = launch.name;
    this.#socketPath = launch.socketPath;
    const configArgs = launch.configPath ? ["--config", launch.configPath] : [];
    this.#child = new Deno.Command(launch.denoPath, {
      args: [
        "run",
        "--allow-all",
        "--no-prompt",
        ...configArgs,
        "--preload",
        PRELOAD_PATH,
        launch.entrypoint,
      ],
      cwd: launch.cwd,
      clearEnv: true,
      env: { ...launch.env, LOCAL_FUNCTIONS_SOCKET: launch.socketPath },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#client = Deno.createHttpClient({ proxy: { transport: "unix", path: launch.socketPath } });
    const prefix = `[${launch.name}]`;
    const logsRelayed = Promise.allSettled([
      relayLines(this.#child.stdout, (line) => console.log(prefix, line)),
      relayLines(this.#child.stderr, (line) => console.error(prefix, line)),
    ]);
    this.ready = this.#waitUntilListening();
    this.exited = this.#child.status.then(async (status) => {
      const reason = `exited with ${describeExit(status)}`;
      this.#exitSignal.abort(new FunctionExitedError(reason));
      const listened = await this.ready.then(() => true, () => false);
      if (!this.#stopRequested) {
        console.error(
          listened
            ? `[functions] ${this.name} ${reason}; it restarts on the next request`
            : `[functions] ${this.name} failed to boot: ${reason}`,
        );
      }
      await this.#child.stdin.close().catch(() => {});
      await logsRelayed;
      this.#client.close();
      await Deno.remove(this.#socketPath).catch(() => {});
      return status;
    });
  }

  /** False once the process is asked to stop or ends on its own. */
  get running(): boolean {
    return !this.#stopRequested && !this.#exitSignal.signal.aborted;
  }

  async #waitUntilListening(): Promise<void> {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (!this.#exitSignal.signal.aborted) {
      try {
        (await Deno.connect({ transport: "unix", path: this.#socketPath })).close();
        return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        const reason = `did not call Deno.serve within ${BOOT_TIMEOUT_MS / 1000} s`;
        console.error(`[functions] ${this.name} failed to boot: ${reason}`);
        this.stop();
        throw new FunctionExitedError(reason);
      }
      await new Promise((resolve) => setTimeout(resolve, SOCKET_POLL_MS));
    }
    throw this.#exitSignal.signal.reason;
  }

  /**
   * Sends `request` to the function as `pathAndQuery` (e.g. `/hello/x?y=1`), streaming both bodies.
   * Throws FunctionExitedError if the process ends, or never boots, before the response starts.
   */
  async forward(request: Request, pathAndQuery: string, headers: Headers): Promise<Response> {
    await this.ready;
    try {
      const upstream = await fetch(`http://localhost${pathAndQuery}`, {
        method: request.method,
        headers,
        body: request.body,
        redirect: "manual",
        client: this.#client,
        // Not request.signal: a client that goes away cancels the response body, which ends this
        // fetch too; and in Deno 2 that signal also fires after every successful response.
        signal: this.#exitSignal.signal,
      });
      return new Response(upstream.body, {
        status: upstream.status,
        statusText: upstream.statusText,
        headers: upstream.headers,
      });
    } catch (error) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exitedSoon = await Promise.race([
        this.exited.then(() => true),
        new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), EXIT_NOTICE_MS)),
      ]);
      clearTimeout(timer);
      if (exitedSoon) throw this.#exitSignal.signal.reason;
      throw error;
    }
  }

  /** Lets in-flight requests and background work finish (within a grace period), then ends it. */
  async stop(): Promise<void> {
    if (!this.#stopRequested) {
      this.#stopRequested = true;
      await this.#child.stdin.close().catch(() => {});
      const forceKill = setTimeout(() => this.#kill(), STOP_GRACE_MS);
      this.exited.then(() => clearTimeout(forceKill));
    }
    await this.exited;
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
