// SPEC §5: 120 requests per minute per caller per function, then 429 with Retry-After; other
// callers keep their own budget. Exercised on `whoami` (GET, the shared endpoint pipeline) with
// two users. The limiter is a token bucket refilled at 2 requests/s, so the burst allowed is 120
// plus whatever refilled while the burst was being sent.

import assert from "node:assert/strict";
import { createUser, platform } from "./_support/platform.ts";
import { DEFAULT_REQUESTS_PER_MINUTE } from "../supabase/functions/_shared/rate_limit.ts";

function whoami(token: string): Promise<Response> {
  return fetch(`${platform.url}/functions/v1/whoami`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** Sends `count` requests, `concurrency` at a time; returns their statuses in sending order. */
async function burst(token: string, count: number, concurrency = 20): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - sent) }, async () => {
      const response = await whoami(token);
      await response.body?.cancel();
      return response.status;
    });
    statuses.push(...await Promise.all(batch));
  }
  return statuses;
}

Deno.test(
  "the 121st request in a minute gets 429 with Retry-After; another caller is unaffected",
  async () => {
    const [heavy, other] = await Promise.all([createUser("candidate"), createUser("company")]);
    const limit = DEFAULT_REQUESTS_PER_MINUTE;

    const started = performance.now();
    const statuses = await burst(heavy.accessToken, limit);
    const elapsedSeconds = (performance.now() - started) / 1000;
    assert.deepEqual(statuses.filter((status) => status !== 200), [], "the first 120 all pass");

    // Tokens refill at limit/60 per second: send until refused, allowing for the refill.
    const refilled = Math.ceil(elapsedSeconds * limit / 60) + 1;
    let refused: Response | undefined;
    let extraAccepted = 0;
    for (let attempt = 0; attempt <= refilled + 1 && !refused; attempt++) {
      const response = await whoami(heavy.accessToken);
      if (response.status === 429) refused = response;
      else {
        assert.equal(response.status, 200);
        extraAccepted++;
        await response.body?.cancel();
      }
    }
    assert.ok(refused, `no 429 after ${limit + extraAccepted} requests`);
    assert.ok(extraAccepted <= refilled, `${extraAccepted} accepted beyond the limit`);
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${retryAfter}`);
    const body = await refused.json();
    assert.equal(body.error.code, "rate_limited");
    assert.match(body.error.message, /120 per minute/);

    // Another caller of the same function still has their whole budget.
    const otherStatuses = await burst(other.accessToken, 10);
    assert.deepEqual(otherStatuses, Array(10).fill(200));

    // After Retry-After, the refused caller is served again.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    const again = await whoami(heavy.accessToken);
    assert.equal(again.status, 200);
    await again.body?.cancel();
  },
);
