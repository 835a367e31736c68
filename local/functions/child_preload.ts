// Preloaded (`deno run --preload`) into every Edge Function process function_process.ts starts.
// It gives an unchanged function what the Supabase Edge Runtime gives it:
// - `Deno.serve()` listens on the Unix socket the runner chose, whatever options the function
//   passes (the Edge Runtime ignores listen options too);
// - `EdgeRuntime.waitUntil()` keeps background work running after the response is sent;
// - when the runner closes this process's stdin (a stop, or the runner itself died), in-flight
//   requests and background work finish, then the process exits.

const SOCKET_VARIABLE = "LOCAL_FUNCTIONS_SOCKET";
const socketPath = Deno.env.get(SOCKET_VARIABLE);
if (!socketPath) {
  throw new Error(`${SOCKET_VARIABLE} is not set: this module is preloaded by local/functions`);
}
// Hosted functions never see the runner's internals.
Deno.env.delete(SOCKET_VARIABLE);

const servers: Deno.HttpServer[] = [];
const backgroundWork = new Set<Promise<unknown>>();

/** The options of any Deno.serve() call that still matter once the listen address is ours. */
interface ServeOptions {
  handler?: Deno.ServeHandler<Deno.Addr>;
  signal?: AbortSignal;
  onError?: (error: unknown) => Response | Promise<Response>;
  onListen?: (localAddr: Deno.Addr) => void;
}

const serve = Deno.serve;
Deno.serve = ((first: unknown, second?: unknown) => {
  const options = (typeof first === "function" ? {} : first) as ServeOptions;
  const handler =
    (typeof first === "function" ? first : second ?? options.handler) as Deno.ServeHandler<
      Deno.UnixAddr
    >;
  const server = serve({
    path: socketPath,
    signal: options.signal,
    onError: options.onError,
    onListen: options.onListen ?? (() => {}),
  }, handler);
  servers.push(server);
  // Started here, not at load: Deno runs a preload's event loop dry before the function's code.
  if (servers.length === 1) exitWhenReleased();
  return server;
}) as typeof Deno.serve;

function waitUntil<T>(promise: Promise<T>): Promise<T> {
  const tracked = promise
    .catch((error) => console.error("EdgeRuntime.waitUntil: background task failed:", error))
    .finally(() => backgroundWork.delete(tracked));
  backgroundWork.add(tracked);
  return promise;
}

Object.defineProperty(globalThis, "EdgeRuntime", { value: Object.freeze({ waitUntil }) });

async function exitWhenReleased(): Promise<void> {
  // The runner never writes to stdin; its end means "stop".
  for await (const _chunk of Deno.stdin.readable) { /* ignored */ }
  await Promise.allSettled(servers.map((server) => server.shutdown()));
  while (backgroundWork.size > 0) await Promise.allSettled(backgroundWork);
  Deno.exit(0);
}
