/**
 * A small HTTP server for testing outgoing requests (the pg_net stand-in, webhooks…).
 *
 * Every request is answered with JSON describing it: `{ method, path, query, headers, body }`.
 * Query parameters steer the answer:
 *   delay_ms=N   answer after N milliseconds (to provoke time-outs)
 *   status=N     answer with HTTP status N
 *   tag=T        count the request under T; `GET /seen?tag=T` answers `{ tag, count }`
 *
 *   deno run --allow-net local/tests/echo_server.ts [--port 56021]
 */
import { parseArgs } from "node:util";

export interface EchoServer {
  url: string;
  close(): Promise<void>;
}

export function startEchoServer({ port = 56021, hostname = "127.0.0.1" } = {}): EchoServer {
  const seenTags = new Map<string, number>();

  const server = Deno.serve({ port, hostname, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    const query = Object.fromEntries(url.searchParams);

    if (url.pathname === "/seen") {
      return Response.json({ tag: query.tag, count: seenTags.get(query.tag) ?? 0 });
    }

    if (query.tag) seenTags.set(query.tag, (seenTags.get(query.tag) ?? 0) + 1);
    const body = await request.text();
    const delayMs = Number(query.delay_ms ?? 0);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));

    return Response.json(
      {
        method: request.method,
        path: url.pathname,
        query,
        headers: Object.fromEntries(request.headers),
        body,
      },
      { status: Number(query.status ?? 200) },
    );
  });

  return {
    url: `http://${hostname}:${port}`,
    close: () => server.shutdown(),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "56021" } } });
  const echo = startEchoServer({ port: Number(values.port) });
  console.error(`echo server on ${echo.url}`);
}
