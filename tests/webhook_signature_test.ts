// Webhook signatures (x-webhook-signature: sha256=HMAC(secret, "<timestamp>.<raw body>"),
// x-webhook-timestamp: Unix seconds): a valid signature is accepted, a replay after five minutes
// and a body changed after signing are refused. First on the shared pipeline itself (an endpoint
// built with createEndpoint, called in this process), then through the gateway on queue-worker.

import assert from "node:assert/strict";
import { platform } from "./_support/platform.ts";
import { z } from "../supabase/functions/_shared/deps.ts";
import { createEndpoint } from "../supabase/functions/_shared/endpoint.ts";
import { jsonResponse } from "../supabase/functions/_shared/http.ts";
import {
  SIGNATURE_MAX_AGE_SECONDS,
  signWebhookBody,
} from "../supabase/functions/_shared/webhook_auth.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

// The pipeline reads these as a deployed function would (run by hand, they come from keys.json).
Deno.env.set("WEBHOOK_SECRET", platform.webhookSecret);
Deno.env.set("SUPABASE_DB_URL", platform.databaseUrl);

/** Every run its own client address, so these requests spend their own rate-limit bucket. */
const clientAddress = `198.19.${Math.floor(Math.random() * 250)}.${
  Math.floor(Math.random() * 250)
}`;

const echo = createEndpoint({
  name: "webhook-signature-test",
  method: "POST",
  callers: "webhook",
  body: z.object({ jobId: z.uuid() }).strict(),
  handle: ({ body }) => Promise.resolve(jsonResponse(200, { received: body.jobId })),
});

const now = () => Math.floor(Date.now() / 1000);

interface Signed {
  body: string;
  /** Defaults to `body`. */
  signedBody?: string;
  timestamp: number;
  secret?: string;
  signature?: string;
}

async function headersFor(signed: Signed): Promise<Record<string, string>> {
  const signature = signed.signature ?? await signWebhookBody(
    signed.secret ?? platform.webhookSecret,
    signed.timestamp,
    signed.signedBody ?? signed.body,
  );
  return {
    "content-type": "application/json",
    "x-forwarded-for": clientAddress,
    "x-webhook-secret": platform.webhookSecret,
    "x-webhook-timestamp": String(signed.timestamp),
    "x-webhook-signature": signature,
  };
}

async function callEcho(signed: Signed): Promise<{ status: number; code?: string }> {
  const request = new Request("http://functions.local/webhook-signature-test", {
    method: "POST",
    headers: await headersFor(signed),
    body: signed.body,
  });
  const response = await echo(request);
  const json = await response.json();
  return { status: response.status, code: json.error?.code };
}

const body = JSON.stringify({ jobId: crypto.randomUUID() });

Deno.test("a body signed now is accepted", options, async () => {
  assert.deepEqual(await callEcho({ body, timestamp: now() }), { status: 200, code: undefined });
  // Within the window, on both sides of the clock.
  const almostStale = now() - SIGNATURE_MAX_AGE_SECONDS + 5;
  assert.equal((await callEcho({ body, timestamp: almostStale })).status, 200);
  assert.equal((await callEcho({ body, timestamp: now() + 60 })).status, 200);
});

Deno.test("a signed request replayed after five minutes is refused", options, async () => {
  const replayed = await callEcho({ body, timestamp: now() - SIGNATURE_MAX_AGE_SECONDS - 1 });
  assert.deepEqual(replayed, { status: 401, code: "stale_signature" });
  const fromTheFuture = await callEcho({ body, timestamp: now() + SIGNATURE_MAX_AGE_SECONDS + 60 });
  assert.deepEqual(fromTheFuture, { status: 401, code: "stale_signature" });
});

Deno.test("a body changed after signing is refused", options, async () => {
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
  const signature = await signWebhookBody(platform.webhookSecret, now() - 10, body);
  assert.deepEqual(
    await callEcho({ body, timestamp: now(), signature }),
    { status: 401, code: "invalid_signature" },
  );
});

Deno.test("signatures made with another secret, or malformed, are refused", options, async () => {
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

Deno.test(
  "through the gateway: queue-worker accepts a fresh signature, refuses a replay and a changed body",
  options,
  async () => {
    const url = `${platform.url}/functions/v1/queue-worker`;
    const workerBody = JSON.stringify({ queue: "notifications" });
    const send = async (signed: Signed) => {
      const response = await fetch(url, {
        method: "POST",
        headers: await headersFor(signed),
        body: signed.body,
      });
      const json = await response.json();
      return { status: response.status, code: json.error?.code };
    };
    assert.equal((await send({ body: workerBody, timestamp: now() })).status, 202);
    assert.deepEqual(
      await send({ body: workerBody, timestamp: now() - SIGNATURE_MAX_AGE_SECONDS - 1 }),
      { status: 401, code: "stale_signature" },
    );
    assert.deepEqual(
      await send({
        body: JSON.stringify({ queue: "job_matching" }),
        signedBody: workerBody,
        timestamp: now(),
      }),
      { status: 401, code: "invalid_signature" },
    );
  },
);
