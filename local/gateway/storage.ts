// /storage/v1 (storage-api) for the local platform: @supabase/lite 0.10's Storage server on the
// local Postgres, object bytes on disk. Buckets and policies come from the product migrations; the
// `storage` schema from local/bootstrap/35_storage.sql. Why lite, and what it does: STORAGE.md.

import "postgres"; // lite's peer dependency: Deno resolves it from this module graph.
import { App, setExperimental } from "@supabase/lite";
import { PostgresConnection } from "@supabase/lite/postgres";
import type { GatewayContext, MountedService } from "./types.ts";
import { FilesystemObjectStore } from "./storage/filesystem_adapter.ts";
import { isListRequest, listAsStorageApi } from "./storage/listing.ts";
import { isMultipartUpload, multipartAsRawUpload } from "./storage/multipart_uploads.ts";
import { signedUrlsAsStorageApi } from "./storage/signed_urls.ts";

export async function createStorageService(
  ctx: GatewayContext,
  storageDir: string,
): Promise<MountedService> {
  // lite 0.10 ships Storage behind a feature flag (an environment variable read once at import).
  setExperimental("storage", true);
  const connection = new PostgresConnection({
    url: ctx.databaseUrl,
    postgresOptions: { connection: { application_name: "local-storage" } },
  });
  // As for /rest/v1 (REST_AUTH.md, row 2): lite would otherwise `GRANT ALL` on every table that
  // has RLS on its first request, undoing the migrations' revokes.
  (connection as unknown as { rlsState: string }).rlsState = "active";
  const app = new App(
    {
      connection,
      auth: { enabled: true, jwt_secret: ctx.keys.jwtSecret },
      // Hosted Storage's global upload limit (50 MiB); each bucket sets its own below it.
      storage: { enabled: true, file_size_limit: "50MiB" },
      db: { migrations: { enabled: false } },
      options: { server: { apiKeys: false, admin: false, disableStudio: true } },
    } as ConstructorParameters<typeof App>[0],
  );
  (app as unknown as { _storageAdapter: unknown })._storageAdapter = new FilesystemObjectStore(
    storageDir,
  );
  await app.init();
  const serve = (request: Request) => app.fetch(request);
  return {
    handle: async (request) => {
      if (isMultipartUpload(request)) return await multipartAsRawUpload(request, serve);
      if (isListRequest(request)) return await listAsStorageApi(request, serve);
      return await signedUrlsAsStorageApi(request, serve);
    },
    async close() {
      await connection.close();
    },
  };
}
