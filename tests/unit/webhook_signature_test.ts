// Webhook signatures (x-webhook-signature: sha256=HMAC(secret, "<timestamp>.<raw body>"),
// x-webhook-timestamp: Unix seconds) on the shared pipeline itself: an endpoint built with
// defineWebhook, called in this process with a fake database. A valid signature is accepted; a
// replay after five minutes and a body changed after signing are refused.
// tests/webhook_signature_test.ts checks the same through the gateway.

import assert from "node:assert/strict";
import { z } from "../../supabase/functions/_shared/deps.ts";
import { defineWebhook } from "../../supabase/functions/_shared/endpoint.ts";
import { jsonResponse } from "../../supabase/functions/_shared/http.ts";
import { now, type Signed, signedHeaders } from "../_support/signed_webhook.ts";
import {
  SIGNATURE_MAX_AGE_SECONDS,
  signWebhookBody,
} from "../../supabase/functions/_shared/webhook_auth.ts";
import { fakePlatform } from "../_support/fake_platform.ts";

const WEBHOOK_SECRET = "unit-test-webhook-secret";

const echo = defineWebhook(
  "webhook-signature-test",
  z.object({ jobId: z.uuid() }).strict(),
  ({ body }) => Promise.resolve(jsonResponse(200, { received: body.jobId })),
)(fakePlatform({ WEBHOOK_SECRET }).deps);

async function callEcho(signed: Signed): Promise<{ status: number; code?: string }> {
  const request = new Request("http://functions.local/webhook-signature-test", {
    method: "POST",
    headers: await signedHeaders(signed, WEBHOOK_SECRET),
    body: signed.body,
  });
  const response = await echo(request);
  const json = await response.json();
  return { status: response.status, code: json.error?.code };
}

const body = JSON.stringify({ jobId: crypto.randomUUID() });

Deno.test("a body signed now is accepted", async () => {
  assert.deepEqual(await callEcho({ body, timestamp: now() }), { status: 200, code: undefined });
  // Within the window, on both sides of the clock.
  const almostStale = now() - SIGNATURE_MAX_AGE_SECONDS + 5;
  assert.equal((await callEcho({ body, timestamp: almostStale })).status, 200);
  assert.equal((await callEcho({ body, timestamp: now() + 60 })).status, 200);
});

Deno.test("a signed request replayed after five minutes is refused", async () => {
  const replayed = await callEcho({ body, timestamp: now() - SIGNATURE_MAX_AGE_SECONDS - 1 });
  assert.deepEqual(replayed, { status: 401, code: "stale_signature" });
  const fromTheFuture = await callEcho({ body, timestamp: now() + SIGNATURE_MAX_AGE_SECONDS + 60 });
  assert.deepEqual(fromTheFuture, { status: 401, code: "stale_signature" });
});

Deno.test("a body changed after signing is refused", async () => {
  const tampered = JSON.stringify({ jobId: crypto.randomUUID() });
  assert.deepEqual(
    await callEcho({ body: tampered, signedBody: body, timestamp: now() }),
    { status: 401, code: "invalid_signature" },
  );
  // Same JSON, other bytes: the signature covers the raw body, not its meaning.
  assert.deepEqual(
    await callEcho({ body: body.replace(":", ": "), signedBody: body, timestamp: now() }),
    { status: 401, code: "invalid_signature" },
  );
  // The timestamp is signed too: moving it invalidates the signature.
  const signature = await signWebhookBody(WEBHOOK_SECRET, now() - 10, body);
  assert.deepEqual(
    await callEcho({ body, timestamp: now(), signature }),
    { status: 401, code: "invalid_signature" },
  );
});

Deno.test("signatures made with another secret, or malformed, are refused", async () => {
  const cases: [Signed, string][] = [
    [{ body, timestamp: now(), secret: "another-secret" }, "invalid_signature"],
    [{ body, timestamp: now(), signature: "sha256=" }, "invalid_signature"],
    [{ body, timestamp: now(), signature: "" }, "invalid_signature"],
    [{ body, timestamp: Number.NaN }, "invalid_signature"],
    [{ body, timestamp: now() + 0.5 }, "invalid_signature"],
  ];
  for (const [signed, code] of cases) {
    assert.deepEqual(await callEcho(signed), { status: 401, code }, JSON.stringify(signed));
  }
});
