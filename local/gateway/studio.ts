// Supabase Studio for the local platform, as `supabase start` prints a Studio URL: the Studio
// build @supabase/lite ships (table editor, SQL editor, auth users), served by a lite App of its
// own on the loopback interface only, next to the database port (54323 by default). That App runs
// in lite's admin mode, where a same-origin request without any credential acts as service_role
// (the hosted Studio holds the service key on its server the same way); the API gateway never
// does, so product traffic keeps its keys and RLS. Dev and test only, never deployed.

import { App } from "@supabase/lite";
import type { GatewayContext } from "./types.ts";
import { PostgrestConnection } from "./rest/postgrest_connection.ts";

/** The Studio's compiled assets, shipped inside the lite package. */
const STATIC_DIR = new URL("./static/", import.meta.resolve("@supabase/lite")).pathname;

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript",
  css: "text/css",
  woff2: "font/woff2",
  ico: "image/x-icon",
  svg: "image/svg+xml",
  png: "image/png",
};

export interface Studio {
  url: string;
  close(): Promise<void>;
}

async function staticAsset(path: string): Promise<Response> {
  const relative = path.slice("/static/".length);
  if (relative.split("/").includes("..")) return new Response("not found", { status: 404 });
  try {
    const body = await Deno.readFile(`${STATIC_DIR}${relative}`);
    const extension = relative.slice(relative.lastIndexOf(".") + 1);
    return new Response(body, {
      headers: {
        "content-type": CONTENT_TYPES[extension] ?? "application/octet-stream",
        "cache-control": "public, max-age=31536000, immutable",
      },
    });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

export async function startStudio(ctx: GatewayContext, port: number): Promise<Studio> {
  const connection = new PostgrestConnection(ctx.databaseUrl);
  const app = new App({
    connection,
    api: { schemas: ["public"] },
    auth: { enabled: true, jwt_secret: ctx.keys.jwtSecret },
    studio: { enabled: true },
    // The Supabase CLI alone records migration history (supabase_migrations).
    db: { migrations: { enabled: false } },
    options: { server: { apiKeys: false, admin: true } },
  });
  await app.init();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    (request, info) => {
      const { pathname } = new URL(request.url);
      // lite elevates only requests it sees arriving on a loopback socket: it is given the peer.
      return pathname.startsWith("/static/")
        ? staticAsset(pathname)
        : app.fetch(request, info as never);
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.shutdown();
      await connection.close();
    },
  };
}
