// The Postgres connection @supabase/lite serves /auth/v1 through, as supabase_auth_admin.

import "postgres"; // lite's peer dependency: Deno resolves it from this module graph.
import { createPostgresConnection } from "@supabase/lite/postgres";
import { isoTimestamp } from "../rest/postgrest_connection.ts";

/** lite's auth code hands jsonb values over already encoded (`JSON.stringify(metadata)`). */
function serializeJson(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function createAuthConnection(url: string) {
  return createPostgresConnection({
    url,
    postgresOptions: {
      connection: { application_name: "local-auth" },
      types: {
        // lite's default serializer would encode those strings a second time, storing
        // raw_user_meta_data as a JSON *string*: `raw_user_meta_data ->> 'role'` in a sign-up
        // trigger would then read null.
        json: { to: 114, from: [114], serialize: serializeJson, parse: JSON.parse },
        jsonb: { to: 3802, from: [3802], serialize: serializeJson, parse: JSON.parse },
        // GoTrue answers timestamps in ISO 8601.
        timestamptz: { to: 1184, from: [1184], serialize: String, parse: isoTimestamp },
      },
    },
  });
}
