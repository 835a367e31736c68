// Webhook signatures through the gateway, on queue-worker: a fresh signature is accepted, a replay
// after five minutes and a body changed after signing are refused, as a deployed function does.
// The rules themselves are unit-tested in tests/unit/webhook_signature_test.ts.

import assert from "node:assert/strict";
import { platform } from "./_support/platform.ts";
import { now, type Signed, signedHeaders } from "./_support/signed_webhook.ts";
import { SIGNATURE_MAX_AGE_SECONDS } from "../supabase/functions/_shared/webhook_auth.ts";

/** Every run its own client address, so these requests spend their own rate-limit bucket. */
const clientAddress = `198.19.${Math.floor(Math.random() * 250)}.${
  Math.floor(Math.random() * 250)
}`;

Deno.test(
  "through the gateway: queue-worker accepts a fresh signature, refuses a replay and a changed body",
  async () => {
    const url = `${platform.url}/functions/v1/queue-worker`;
    const workerBody = JSON.stringify({ queue: "notifications" });
    const send = async (signed: Signed) => {
      const response = await fetch(url, {
        method: "POST",
        headers: await signedHeaders(signed, platform.webhookSecret, {
          "x-forwarded-for": clientAddress,
        }),
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
