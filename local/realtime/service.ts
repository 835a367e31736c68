// The local Realtime server, mounted by the gateway on /realtime/v1 (see README.md):
//   GET  /realtime/v1/websocket?apikey=…&vsn=1.0.0|2.0.0   Phoenix channels (broadcast, presence)
//   POST /realtime/v1/api/broadcast[/:topic/events/:event]  REST broadcast

import postgres from "postgres";
import type { GatewayContext, MountedService } from "../gateway/types.ts";
import { handleBroadcastApi, xHeaders } from "./broadcast_api.ts";
import { ClientConnection, type RealtimeContext } from "./connection.ts";
import { startDatabaseBroadcasts, startJanitor } from "./database.ts";
import { Hub, type Subscriber } from "./hub.ts";
import { PresenceRegistry } from "./presence.ts";
import { PostgresChanges } from "./postgres_changes.ts";
import { SERIALIZER_VERSIONS, type SerializerVersion } from "./protocol.ts";
import { apiKeyToJwt, checkAccessToken } from "./tokens.ts";

const MOUNT_PATH = "/realtime/v1";

function jsonError(status: number, error: string): Response {
  return new Response(JSON.stringify({ error }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** The connection token: `apikey` query parameter (or x-api-key / bearer header), as a JWT. */
function presentedApiKey(request: Request, url: URL): string | null {
  return url.searchParams.get("apikey") ??
    request.headers.get("x-api-key") ??
    request.headers.get("authorization")?.match(/^bearer\s+(\S+)$/i)?.[1] ??
    null;
}

export async function createRealtimeService(ctx: GatewayContext): Promise<MountedService> {
  const log = (message: string) => console.error(`realtime: ${message}`);
  const sql = postgres(ctx.databaseUrl, {
    max: 10,
    onnotice: () => {},
    connection: { application_name: "local realtime" },
  });
  const context: RealtimeContext = {
    sql,
    changes: new PostgresChanges(ctx.databaseUrl, sql, log),
    keys: ctx.keys,
    hub: new Hub(),
    presence: new PresenceRegistry<Subscriber>(),
    log,
  };
  const janitor = await startJanitor(sql, log);
  const databaseBroadcasts = await startDatabaseBroadcasts(sql, context.hub, log);
  const connections = new Set<ClientConnection>();

  async function openWebSocket(request: Request, url: URL): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(400, "Expected a WebSocket upgrade");
    }
    const version = (url.searchParams.get("vsn") ?? "1.0.0") as SerializerVersion;
    if (!SERIALIZER_VERSIONS.includes(version)) {
      return jsonError(400, `Unsupported serializer version: ${version}`);
    }
    const apiKey = presentedApiKey(request, url);
    if (!apiKey) return jsonError(401, "API key is missing");
    const token = apiKeyToJwt(apiKey, ctx.keys);
    if (!token) return jsonError(401, "Invalid API key");
    const check = await checkAccessToken(token, ctx.keys.jwtSecret);
    if (!check.ok) return jsonError(401, check.httpMessage);

    // Headers cannot be read once the request is upgraded.
    const headers = xHeaders(request.headers);
    const { socket, response } = Deno.upgradeWebSocket(request);
    connections.add(
      new ClientConnection(
        socket,
        context,
        version,
        token,
        headers,
        (connection) => connections.delete(connection),
      ),
    );
    return response;
  }

  return {
    handle(request) {
      const url = new URL(request.url);
      const path = url.pathname.slice(MOUNT_PATH.length);
      if (path === "/websocket" || path === "/socket/websocket") return openWebSocket(request, url);
      return handleBroadcastApi(request, path, context) ?? jsonError(404, "Not found");
    },
    async close() {
      for (const connection of connections) connection.close(1001, "server shutting down");
      janitor.stop();
      await databaseBroadcasts.stop();
      await context.changes.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
