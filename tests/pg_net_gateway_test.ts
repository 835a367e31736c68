// pg_net → gateway → Edge Function, as a trigger's doorbell does in production: a request queued
// from SQL leaves after commit, goes through /functions/v1 (verify_jwt included) and its answer
// lands in net._http_response. The URL comes from Vault's project_url, as product SQL reads it.

import assert from "node:assert/strict";
import { eventually, platform, sql } from "./_support/platform.ts";

interface StoredResponse {
  status_code: number | null;
  content: string | null;
  timed_out: boolean | null;
  error_msg: string | null;
}

/** Waits for the worker to store the response of request `id`. */
function responseOf(id: number): Promise<StoredResponse> {
  return eventually(async () => {
    const [row] = await sql<StoredResponse[]>`
      select status_code, content, timed_out, error_msg from net._http_response where id = ${id}`;
    return row;
  }, { what: `net._http_response ${id}` });
}

async function functionUrl(name: string): Promise<string> {
  const [{ url }] = await sql`
    select decrypted_secret || '/functions/v1/' || ${name} as url
    from vault.decrypted_secrets where name = 'project_url'`;
  return url;
}

Deno.test("net.http_get reaches a function through the gateway", async () => {
  assert.equal(await functionUrl("health"), `${platform.url}/functions/v1/health`);
  const [{ id }] = await sql`select net.http_get(${await functionUrl("health")}) as id`;
  const response = await responseOf(Number(id));
  assert.equal(response.error_msg, null);
  assert.equal(response.timed_out, false);
  assert.equal(response.status_code, 200);
  assert.equal(JSON.parse(response.content!).status, "ok");
});

Deno.test("pg_net requests pass the gateway's verify_jwt like any other", async () => {
  const url = await functionUrl("whoami");
  const [{ refused }] = await sql`select net.http_post(${url}, '{}'::jsonb) as refused`;
  const [{ allowed }] = await sql`
    select net.http_get(
      ${url},
      headers => jsonb_build_object('Authorization', 'Bearer ' || ${platform.serviceRoleKey}::text)
    ) as allowed`;

  const withoutToken = await responseOf(Number(refused));
  assert.equal(withoutToken.status_code, 401);
  assert.deepEqual(JSON.parse(withoutToken.content!), {
    code: 401,
    message: "Missing authorization header",
  });
  const withServiceKey = await responseOf(Number(allowed));
  assert.equal(withServiceKey.status_code, 200);
  assert.deepEqual(JSON.parse(withServiceKey.content!), { userId: null, role: "service_role" });
});
