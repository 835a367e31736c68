// `/functions/v1/<name>` of the local gateway: what `supabase functions serve` and the hosted Edge
// Runtime do, without Docker.
// - Each folder supabase/functions/<name>/ with an index.ts is a function (`_shared`, `.x`: not).
//   It runs unchanged in its own `deno run` process (function_process.ts), started on its first
//   request and kept running; a crashed process is started again by the next request.
// - `verify_jwt` of `[functions.<name>]` in supabase/config.toml (default true): without a valid
//   Authorization bearer JWT the request is refused with the hosted gateway's 401 bodies. OPTIONS
//   (CORS preflight) always reaches the function.
// - The function sees the path hosted functions see: `/<name>/...`, query string kept.
// - Environment: ALLOWED_ORIGINS defaulting to the loopback origins of frontend dev servers, then
//   this process's environment, then supabase/functions/.env, then the platform's SUPABASE_*
//   defaults (which .env may not override, as in the CLI), then `extraEnv`.
// - Under watch, a change in a function's folder restarts it; a change in `_shared` or `.env`
//   restarts every running function; a change in config.toml is re-read.

import type { GatewayContext, MountedService } from "../gateway/types.ts";
import { LOCAL_FRONTEND_ORIGINS } from "../gateway/cors.ts";
import { verifyJwt } from "../platform/jwt.ts";
import { FunctionExitedError, FunctionProcess } from "./function_process.ts";
import { type FunctionSettingsLookup, readDotEnv, readFunctionSettings } from "./project_files.ts";

const ROUTE_PREFIX = "/functions/v1";
/** Names `supabase functions new` accepts; so `_shared` and dot folders are not functions. */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const WATCH_DEBOUNCE_MS = 150;

function jsonResponse(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status });
}

const notFound = () =>
  jsonResponse(404, { code: "NOT_FOUND", message: "Requested function was not found" });
const unauthorized = (message: string) => jsonResponse(401, { code: 401, message });
const bootError = () =>
  jsonResponse(503, { code: "BOOT_ERROR", message: "Worker failed to boot (please check logs)" });
const workerError = () =>
  jsonResponse(502, {
    code: "WORKER_ERROR",
    message: "Function exited due to an error (please check logs)",
  });

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function firstExistingFile(paths: string[]): string | undefined {
  return paths.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/** Why the request may not reach a `verify_jwt` function, or undefined if it may. */
async function jwtRefusal(request: Request, jwtSecret: string): Promise<string | undefined> {
  const authorization = request.headers.get("authorization");
  if (!authorization) return "Missing authorization header";
  const token = authorization.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token || !(await verifyJwt(token, jwtSecret)).valid) return "Invalid JWT";
  return undefined;
}

/** The SUPABASE_* variables the Edge Runtime gives every function, for this platform. */
export function platformVariables(
  platform: Pick<GatewayContext, "keys" | "apiUrl" | "databaseUrl">,
): Record<string, string> {
  const { keys, apiUrl, databaseUrl } = platform;
  return {
    SUPABASE_URL: apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    // Tokens are signed with the HS256 secret, which a JWKS never publishes.
    SUPABASE_JWKS: JSON.stringify({ keys: [] }),
    SUPABASE_DB_URL: databaseUrl,
    SB_REGION: "local",
  };
}

class FunctionsService implements MountedService {
  #ctx: GatewayContext;
  #functionsDir: string;
  #configPath: string;
  #dotEnvPath: string;
  #extraEnv: Record<string, string>;
  #denoPath: string;
  #socketDir: string;
  #settings: FunctionSettingsLookup = () => ({ verifyJwt: true });
  #environment: Record<string, string> = {};
  #processes = new Map<string, FunctionProcess>();
  #watcher?: Deno.FsWatcher;
  #watching?: Promise<void>;
  #closed = false;

  constructor(
    ctx: GatewayContext,
    extraEnv: Record<string, string>,
    denoPath: string,
    socketDir: string,
  ) {
    this.#ctx = ctx;
    this.#functionsDir = `${ctx.projectRoot}/supabase/functions`;
    this.#configPath = `${ctx.projectRoot}/supabase/config.toml`;
    this.#dotEnvPath = `${this.#functionsDir}/.env`;
    this.#extraEnv = extraEnv;
    this.#denoPath = denoPath;
    this.#socketDir = socketDir;
  }

  /** Reads config.toml and .env; throws on invalid TOML. */
  async load(): Promise<void> {
    this.#settings = await readFunctionSettings(this.#configPath);
    await this.#loadEnvironment();
  }

  async handle(request: Request, info: Deno.ServeHandlerInfo): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(`${ROUTE_PREFIX}/`)) return notFound();
    const functionPath = url.pathname.slice(ROUTE_PREFIX.length);
    const name = functionPath.split("/")[1];
    if (!FUNCTION_NAME.test(name)) return notFound();

    if (!this.#processes.get(name)?.running && !(await isFile(this.#entrypoint(name)))) {
      return notFound();
    }
    if (request.method !== "OPTIONS" && this.#settings(name).verifyJwt) {
      const refusal = await jwtRefusal(request, this.#ctx.keys.jwtSecret);
      if (refusal) return unauthorized(refusal);
    }

    const running = this.#processes.get(name);
    const process = running?.running ? running : this.#start(name);
    if (!process) return workerError();
    const headers = new Headers(request.headers);
    headers.set("x-forwarded-host", url.host);
    headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
    if (info.remoteAddr.transport === "tcp") {
      // Appended, as a proxy does: the last entry is the address that really connected.
      const forwardedFor = headers.get("x-forwarded-for");
      const peer = info.remoteAddr.hostname;
      headers.set("x-forwarded-for", forwardedFor ? `${forwardedFor}, ${peer}` : peer);
    }
    try {
      return await process.forward(request, functionPath + url.search, headers);
    } catch (error) {
      if (!(error instanceof FunctionExitedError)) {
        console.error(`[functions] ${name}: request failed:`, error);
        return workerError();
      }
      return (await process.ready.then(() => true, () => false)) ? workerError() : bootError();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    await this.#watching;
    await Promise.all([...this.#processes.values()].map((process) => process.stop()));
    this.#processes.clear();
    await Deno.remove(this.#socketDir, { recursive: true }).catch(() => {});
  }

  #entrypoint(name: string): string {
    return `${this.#functionsDir}/${name}/index.ts`;
  }

  /** Starts the function's process; undefined once the service is closed. */
  #start(name: string): FunctionProcess | undefined {
    if (this.#closed) return undefined;
    const folder = `${this.#functionsDir}/${name}`;
    const root = this.#ctx.projectRoot;
    const process = new FunctionProcess({
      name,
      denoPath: this.#denoPath,
      entrypoint: this.#entrypoint(name),
      configPath: firstExistingFile([
        `${folder}/deno.json`,
        `${folder}/deno.jsonc`,
        `${root}/deno.json`,
        `${root}/deno.jsonc`,
      ]),
      cwd: root,
      socketPath: `${this.#socketDir}/${name}-${crypto.randomUUID().slice(0, 8)}.sock`,
      env: { ...this.#environment, SB_EXECUTION_ID: crypto.randomUUID() },
    });
    this.#processes.set(name, process);
    process.exited.then(() => {
      if (this.#processes.get(name) === process) this.#processes.delete(name);
    });
    return process;
  }

  /** Re-reads supabase/functions/.env into the environment of the processes started from now on. */
  async #loadEnvironment(): Promise<void> {
    const dotEnv = Object.entries(await readDotEnv(`${this.#functionsDir}/.env`))
      .filter(([key]) => {
        if (!key.startsWith("SUPABASE_")) return true;
        console.error(`[functions] supabase/functions/.env: ${key} is reserved, skipped`);
        return false;
      });
    const inherited = Object.entries(Deno.env.toObject())
      .filter(([key]) => !key.startsWith("SUPABASE_"));
    this.#environment = {
      ALLOWED_ORIGINS: LOCAL_FRONTEND_ORIGINS,
      ...Object.fromEntries(inherited),
      ...Object.fromEntries(dotEnv),
      ...platformVariables(this.#ctx),
      ...this.#extraEnv,
    };
  }

  /** Follows changes under supabase/ (a directory: editors replace files, not rewrite them). */
  watch(): void {
    this.#watcher = Deno.watchFs(`${this.#ctx.projectRoot}/supabase`, { recursive: true });
    this.#watching = this.#followChanges(this.#watcher);
  }

  async #followChanges(watcher: Deno.FsWatcher): Promise<void> {
    let changedPaths = new Set<string>();
    let debounce: ReturnType<typeof setTimeout> | undefined;
    for await (const event of watcher) {
      if (event.kind === "access") continue;
      event.paths.forEach((path) => changedPaths.add(path));
      clearTimeout(debounce);
      debounce = setTimeout(() => {
        this.#applyChanges(changedPaths);
        changedPaths = new Set();
      }, WATCH_DEBOUNCE_MS);
    }
    clearTimeout(debounce);
  }

  async #applyChanges(paths: Set<string>): Promise<void> {
    if (this.#closed) return;
    const toRestart = new Set<string>();
    const restartAll = () => this.#processes.forEach((_process, name) => toRestart.add(name));
    for (const path of paths) {
      if (path === this.#configPath) {
        await this.#reloadSettings();
      } else if (path === this.#dotEnvPath) {
        await this.#loadEnvironment();
        restartAll();
      } else if (path.startsWith(`${this.#functionsDir}/`)) {
        // `<name>/…` restarts that function; `_shared/…` or any non-function restarts them all.
        const folder = path.slice(this.#functionsDir.length + 1).split("/")[0];
        if (FUNCTION_NAME.test(folder)) toRestart.add(folder);
        else restartAll();
      }
    }
    for (const name of toRestart) {
      const process = this.#processes.get(name);
      if (!process?.running) continue;
      console.error(`[functions] ${name} changed, restarting`);
      this.#processes.delete(name);
      process.stop();
      if (await isFile(this.#entrypoint(name))) this.#start(name);
    }
  }

  async #reloadSettings(): Promise<void> {
    try {
      this.#settings = await readFunctionSettings(this.#configPath);
      console.error("[functions] supabase/config.toml reloaded");
    } catch (error) {
      console.error("[functions] supabase/config.toml is invalid, kept the previous one:", error);
    }
  }
}

/** The project's Deno (node_modules/.bin/deno), else the one running this code. */
async function projectDeno(projectRoot: string): Promise<string> {
  const local = `${projectRoot}/node_modules/.bin/deno`;
  return (await isFile(local)) ? local : Deno.execPath();
}

/** `extraEnv`: variables every function gets over all others (e.g. WEBHOOK_SECRET in tests). */
export async function createFunctionsService(
  ctx: GatewayContext,
  extraEnv: Record<string, string> = {},
): Promise<MountedService> {
  const service = new FunctionsService(
    ctx,
    extraEnv,
    await projectDeno(ctx.projectRoot),
    await Deno.makeTempDir({ prefix: "supabase-functions-" }),
  );
  await service.load();
  if (ctx.watch) service.watch();
  return service;
}
