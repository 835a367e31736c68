// The OneSignal client (supabase/functions/_shared/onesignal.ts) against the local stand-in
// (local/onesignal): message bodies, idempotency keys, answer classification, retries with
// Retry-After. No platform needed: the stand-in runs in this process.

import assert from "node:assert/strict";
import { startOneSignalStandIn } from "../../local/onesignal/server.ts";
import {
  type AttemptResult,
  chunkIdempotencyKey,
  createMessageBody,
  type OneSignalConfig,
  oneSignalConfigFromEnv,
  parseRetryAfter,
  retryDelayMs,
  sendMessageOnce,
  sendMessageWithRetries,
} from "../../supabase/functions/_shared/onesignal.ts";

const USER_A = "0b7c8a2e-59a4-4d4b-9b8e-1d2f3a4b5c6d";
const USER_B = "1c8d9b3f-6ab5-4e5c-8c9f-2e3a4b5c6d7e";
const REQUEST = "6f1e2d3c-4b5a-4968-8776-655443322110";

type StandIn = ReturnType<typeof startOneSignalStandIn>;

function configFor(standIn: StandIn): OneSignalConfig {
  return {
    apiUrl: standIn.url,
    appId: standIn.appId,
    restApiKey: standIn.apiKey,
    maxRecipientsPerRequest: 20_000,
    concurrency: 4,
    requestTimeoutMs: 300,
    maxAttempts: 5,
    retryBaseMs: 10,
    maxRetryWaitMs: 2_000,
  };
}

/** A test against a fresh stand-in of its own, closed whatever the outcome. */
function standInTest(
  name: string,
  body: (standIn: StandIn, config: OneSignalConfig) => Promise<void>,
) {
  Deno.test(name, async () => {
    const standIn = startOneSignalStandIn();
    try {
      await body(standIn, configFor(standIn));
    } finally {
      await standIn.close();
    }
  });
}

function pushTo(config: OneSignalConfig, externalIds: string[], chunkIndex = 0) {
  return createMessageBody(config, {
    channel: "push",
    externalIds,
    idempotencyKey: chunkIdempotencyKey(REQUEST, "push", chunkIndex),
    content: { title: "Nouvelle offre", body: "Développeur Rust à Lyon", data: { jobId: "j1" } },
  });
}

Deno.test("idempotency keys are version-3 UUIDs derived from request, channel and chunk", () => {
  const key = chunkIdempotencyKey(REQUEST, "push", 0);
  assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(chunkIdempotencyKey(REQUEST, "push", 0), key, "a retry reuses the key");
  assert.notEqual(chunkIdempotencyKey(REQUEST, "push", 1), key);
  assert.notEqual(chunkIdempotencyKey(REQUEST, "email", 0), key);
  assert.notEqual(chunkIdempotencyKey("7f1e2d3c-4b5a-4968-8776-655443322110", "push", 0), key);
});

Deno.test("message bodies target external ids on one channel", () => {
  const config = { appId: "app", smsFrom: "+33600000000" };
  const common = {
    externalIds: [USER_A],
    idempotencyKey: chunkIdempotencyKey(REQUEST, "push", 0),
    content: { title: "Titre <b>", body: "Ligne 1\nLigne 2", collapseKey: "c1" },
  };
  const push = createMessageBody(config, { ...common, channel: "push" });
  assert.deepEqual(push.include_aliases, { external_id: [USER_A] });
  assert.deepEqual(push.target_channel, "push");
  assert.deepEqual(push.headings, { en: "Titre <b>" });
  assert.deepEqual(push.collapse_id, "c1");
  const email = createMessageBody(config, { ...common, channel: "email" });
  assert.deepEqual(email.email_subject, "Titre <b>");
  assert.deepEqual(email.email_body, "<h1>Titre &#60;b&#62;</h1><p>Ligne 1<br>Ligne 2</p>");
  const sms = createMessageBody(config, {
    ...common,
    channel: "sms",
    sendAfter: new Date("2026-11-25T06:00:00Z"),
  });
  assert.deepEqual(sms.contents, { en: "Titre <b>\nLigne 1\nLigne 2" });
  assert.deepEqual(sms.sms_from, "+33600000000");
  assert.deepEqual(sms.send_after, "2026-11-25T06:00:00.000Z");
});

Deno.test("configuration comes from the environment; none without credentials", () => {
  const env = (values: Record<string, string>) => ({ get: (name: string) => values[name] });
  assert.deepEqual(oneSignalConfigFromEnv(env({ ONESIGNAL_APP_ID: "a" })), null);
  const config = oneSignalConfigFromEnv(env({
    ONESIGNAL_APP_ID: "a",
    ONESIGNAL_REST_API_KEY: "k",
    ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST: "50000",
  }))!;
  assert.deepEqual(config.apiUrl, "https://api.onesignal.com");
  assert.deepEqual(config.maxRecipientsPerRequest, 20_000, "never above OneSignal's maximum");
});

Deno.test("Retry-After and backoff", () => {
  assert.deepEqual(parseRetryAfter("3"), 3000);
  assert.deepEqual(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.deepEqual(parseRetryAfter("soon"), null);
  assert.deepEqual(retryDelayMs(3, 1500, 100), 1500, "Retry-After wins");
  assert.deepEqual(retryDelayMs(1, null, 100, () => 0.5), 100);
  assert.deepEqual(retryDelayMs(4, null, 100, () => 0.5), 800);
});

standInTest(
  "the stand-in answers like OneSignal: sent, invalid aliases, nobody subscribed, 4xx",
  async (standIn, config) => {
    await standIn.control.setSubscriptions({ unsubscribed: { push: [USER_B] } });
    const partly = await sendMessageOnce(config, pushTo(config, [USER_A, USER_B]));
    assert.deepEqual(partly.outcome, "sent");
    assert.deepEqual((partly as Extract<AttemptResult, { outcome: "sent" }>).invalidExternalIds, [
      USER_B,
    ]);

    const nobody = await sendMessageOnce(config, pushTo(config, [USER_B], 1));
    assert.deepEqual(nobody.outcome, "undeliverable");

    const wrongKey = await sendMessageOnce(
      { ...config, restApiKey: "nope" },
      pushTo(config, [USER_A], 2),
    );
    assert.deepEqual(wrongKey.outcome, "permanent");
    assert.deepEqual((wrongKey as { httpStatus: number }).httpStatus, 403);

    const noContent = await sendMessageOnce(config, {
      ...pushTo(config, [USER_A], 3),
      contents: {},
    });
    assert.deepEqual(noContent.outcome, "permanent");
    assert.match((noContent as { error: string }).error, /English language content/);

    await standIn.control.setSubscriptions({ disabledChannels: ["sms"] });
    const sms = await sendMessageOnce(
      config,
      createMessageBody(config, {
        channel: "sms",
        externalIds: [USER_A],
        idempotencyKey: chunkIdempotencyKey(REQUEST, "sms", 0),
        content: { title: "SMS" },
      }),
    );
    assert.deepEqual(sms.outcome, "permanent");
  },
);

standInTest("a replayed idempotency key delivers nothing twice", async (standIn, config) => {
  const first = await sendMessageOnce(config, pushTo(config, [USER_A]));
  const second = await sendMessageOnce(config, pushTo(config, [USER_A]));
  assert.deepEqual(first.outcome, "sent");
  assert.deepEqual(second.outcome, "sent");
  assert.ok(second.outcome === "sent" && second.replayed);
  assert.deepEqual(
    (first as { notificationId: string }).notificationId,
    (second as { notificationId: string }).notificationId,
  );
  assert.deepEqual(standIn.state().notifications.length, 1);
});

standInTest(
  "transient failures are retried, honouring Retry-After, until sent",
  async (standIn, config) => {
    await standIn.control.setFaults({
      failureRate: 0.6,
      failureStatuses: [500, 429],
      retryAfterSeconds: 0,
      seed: 7,
    });
    const attempts: AttemptResult[] = [];
    for (let chunk = 0; chunk < 10; chunk++) {
      const result = await sendMessageWithRetries(
        { ...config, maxAttempts: 20 },
        pushTo(config, [USER_A], chunk),
        (attempt) => Promise.resolve(void attempts.push(attempt)),
      );
      assert.deepEqual(result.outcome, "sent");
    }
    assert.ok(attempts.some((attempt) => attempt.outcome === "transient"), "faults were injected");
    assert.deepEqual(standIn.state().notifications.length, 10, "each chunk delivered once");
  },
);

standInTest(
  "a time-out after delivery is retried with the same key and not delivered twice",
  async (standIn, config) => {
    await standIn.control.setFaults({ stallRate: 1, stallMs: 600 });
    const first = await sendMessageOnce(config, pushTo(config, [USER_A]));
    assert.deepEqual(first.outcome, "transient");
    assert.match((first as { error: string }).error, /no answer within 300 ms/);
    await standIn.control.setFaults({});
    const retry = await sendMessageOnce(config, pushTo(config, [USER_A]));
    assert.ok(retry.outcome === "sent" && retry.replayed);
    assert.deepEqual(standIn.state().notifications.length, 1);
  },
);

standInTest(
  "a Retry-After longer than the in-process limit is left to the queue",
  async (standIn, config) => {
    await standIn.control.setFaults({
      failureRate: 1,
      failureStatuses: [429],
      retryAfterSeconds: 100,
    });
    let attempts = 0;
    const result = await sendMessageWithRetries(config, pushTo(config, [USER_A]), () => {
      attempts++;
      return Promise.resolve();
    });
    assert.deepEqual(result.outcome, "transient");
    assert.deepEqual((result as { retryAfterMs: number }).retryAfterMs, 100_000);
    assert.deepEqual(attempts, 1);
  },
);
