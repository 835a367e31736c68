// The local API gateway on one port, as `supabase start` has: /rest/v1, /auth/v1, /functions/v1,
// /realtime/v1 and /storage/v1 routed to their services. Like hosted Supabase, it accepts the new
// `sb_publishable_…` / `sb_secret_…` API keys and hands services the matching JWT, and answers
// CORS itself except for functions (cors.ts).

import { createFunctionsService } from "../functions/service.ts";
import { createRealtimeService } from "../realtime/service.ts";
import { createRestAuthService } from "./rest_auth.ts";
import { isPreflight, preflightAnswer, withCors } from "./cors.ts";
import { createStorageService } from "./storage.ts";
import type { GatewayContext, MountedService } from "./types.ts";

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

export interface GatewayOptions {
  port: number;
  /** Environment given to every Edge Function on top of the Supabase defaults. */
  functionsEnv?: Record<string, string>;
  /** Where /storage/v1 keeps object bytes. */
  storageDir: string;
}

function json(status: number, body: unknown): Response {
  return withCors(Response.json(body, { status }));
}

/**
 * Replaces an `sb_publishable_…` / `sb_secret_…` key (in `apikey` or as the bearer token) by the
 * anon / service_role JWT it stands for. A user's JWT in Authorization is left as it is.
 */
export function translateApiKeys(request: Request, context: GatewayContext): Request {
  const { keys } = context;
  const jwtForKey = (key: string | null): string | null => {
    if (key === keys.publishableKey) return keys.anonKey;
    if (key === keys.secretKey) return keys.serviceRoleKey;
    return null;
  };
  const authorization = request.headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
  const apikey = request.headers.get("apikey") ?? new URL(request.url).searchParams.get("apikey");
  const bearerJwt = jwtForKey(bearer);
  const apikeyJwt = jwtForKey(apikey);
  if (!bearerJwt && !apikeyJwt) return request;
  const headers = new Headers(request.headers);
  if (apikeyJwt) headers.set("apikey", apikeyJwt);
  if (bearerJwt) headers.set("authorization", `Bearer ${bearerJwt}`);
  else if (!authorization && apikeyJwt) headers.set("authorization", `Bearer ${apikeyJwt}`);
  return new Request(request, { headers });
}

export async function startGateway(
  context: GatewayContext,
  options: GatewayOptions,
): Promise<Gateway> {
  const { rest, auth } = await createRestAuthService(context);
  const functions = await createFunctionsService(context, options.functionsEnv ?? {});
  const realtime = await createRealtimeService(context);
  const storage = await createStorageService(context, options.storageDir);
  const routes: [string, MountedService][] = [
    ["/rest/v1", rest],
    ["/auth/v1", auth],
    ["/functions/v1", functions],
    ["/realtime/v1", realtime],
    ["/storage/v1", storage],
  ];
  // Functions answer CORS themselves (from ALLOWED_ORIGINS), as on hosted Supabase.
  const answersOwnCors = (prefix: string) => prefix === "/functions/v1";

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port,
    onListen: () => {},
  }, async (request, info) => {
    const { pathname } = new URL(request.url);
    const route = routes.find(([prefix]) =>
      pathname === prefix || pathname.startsWith(`${prefix}/`)
    );
    if (!route) return json(404, { message: "no Route matched with those values" });
    const [prefix, service] = route;
    const gatewayCors = !answersOwnCors(prefix);
    if (gatewayCors && isPreflight(request)) return preflightAnswer(request);
    // Realtime upgrades keep the original request: WebSocket upgrades cannot be cloned.
    const isUpgrade = request.headers.get("upgrade")?.toLowerCase() === "websocket";
    const routed = isUpgrade ? request : translateApiKeys(request, context);
    try {
      const response = await service.handle(routed, info);
      return gatewayCors ? withCors(response) : response;
    } catch (error) {
      console.error(`gateway: ${pathname}:`, error);
      return json(502, { message: "An invalid response was received from the upstream server" });
    }
  });

  return {
    url: context.apiUrl,
    async close() {
      await Promise.allSettled(routes.map(([, service]) => service.close()));
      await server.shutdown();
    },
  };
}
