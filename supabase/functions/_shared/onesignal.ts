// A small typed client for OneSignal's Create message API (POST /notifications), written on
// fetch: no SDK (see docs/notifications.md for why). It targets users by external id (our user
// ids) on one channel per request, makes each request idempotent, and classifies every answer:
// 2xx sent (or nobody subscribed), 429 / 5xx / network errors / time-outs transient, any other
// 4xx permanent. Transient failures are retried here with exponential backoff, honouring
// Retry-After; what still fails is left to the queue's own retries.

import { createHash } from "node:crypto";
import type { Env } from "./platform.ts";

export type OneSignalChannel = "push" | "email" | "sms";

/** OneSignal's documented maximum of include_aliases entries per request. */
export const ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST = 20_000;

const DEFAULT_API_URL = "https://api.onesignal.com";

export interface OneSignalConfig {
  apiUrl: string;
  appId: string;
  restApiKey: string;
  /** Recipients per request (ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST, at most 20,000). */
  maxRecipientsPerRequest: number;
  /** Requests in flight at once per notification (ONESIGNAL_CONCURRENCY). */
  concurrency: number;
  /** A request without an answer after this is a transient failure (ONESIGNAL_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** HTTP attempts per chunk within one dispatch (ONESIGNAL_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** First backoff delay; doubled at each attempt (ONESIGNAL_RETRY_BASE_MS). */
  retryBaseMs: number;
  /** Longest wait before an in-process retry; a longer Retry-After is left to the queue. */
  maxRetryWaitMs: number;
  /** Sender number for SMS when the app has no default (ONESIGNAL_SMS_FROM). */
  smsFrom?: string;
}

function positiveInteger(value: string | undefined, fallback: number, max = Infinity): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? Math.min(parsed, max) : fallback;
}

/**
 * The configuration from the environment, or null without credentials (ONESIGNAL_APP_ID and
 * ONESIGNAL_REST_API_KEY): push, email and SMS are then skipped, in-app still works.
 */
export function oneSignalConfigFromEnv(env: Env): OneSignalConfig | null {
  const appId = env.get("ONESIGNAL_APP_ID")?.trim();
  const restApiKey = env.get("ONESIGNAL_REST_API_KEY")?.trim();
  if (!appId || !restApiKey) return null;
  return {
    apiUrl: (env.get("ONESIGNAL_API_URL")?.trim() || DEFAULT_API_URL).replace(/\/+$/, ""),
    appId,
    restApiKey,
    maxRecipientsPerRequest: positiveInteger(
      env.get("ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST"),
      ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST,
      ONESIGNAL_MAX_RECIPIENTS_PER_REQUEST,
    ),
    concurrency: positiveInteger(env.get("ONESIGNAL_CONCURRENCY"), 4, 64),
    requestTimeoutMs: positiveInteger(env.get("ONESIGNAL_TIMEOUT_MS"), 15_000),
    maxAttempts: positiveInteger(env.get("ONESIGNAL_MAX_ATTEMPTS"), 5, 20),
    retryBaseMs: positiveInteger(env.get("ONESIGNAL_RETRY_BASE_MS"), 500),
    maxRetryWaitMs: positiveInteger(env.get("ONESIGNAL_MAX_RETRY_WAIT_MS"), 30_000),
    smsFrom: env.get("ONESIGNAL_SMS_FROM")?.trim() || undefined,
  };
}

/**
 * The idempotency key of one chunk: a name-based UUID (version 3, one of the versions OneSignal
 * accepts) of the request id, channel and chunk index, so every retry of the chunk, by any
 * dispatcher, presents the same key and OneSignal delivers it once.
 */
export function chunkIdempotencyKey(
  requestId: string,
  channel: OneSignalChannel,
  chunkIndex: number,
): string {
  const namespace = Uint8Array.from(
    requestId.replace(/-/g, "").match(/../g)!,
    (byte) => parseInt(byte, 16),
  );
  const digest = createHash("md5")
    .update(namespace)
    .update(new TextEncoder().encode(`${channel}:${chunkIndex}`))
    .digest();
  digest[6] = (digest[6] & 0x0f) | 0x30;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** What a notification says, whatever the channel. */
export interface MessageContent {
  title: string;
  body?: string | null;
  /** Extra fields for the app (push `data`). */
  data?: Record<string, unknown>;
  /** Shown once per key on the device: a newer push with the same key replaces the older. */
  collapseKey?: string | null;
  /** Internal name in the OneSignal dashboard. */
  name?: string;
}

export interface ChunkMessage {
  channel: OneSignalChannel;
  externalIds: string[];
  idempotencyKey: string;
  /** Deliver at this time (the end of the recipients' quiet hours) instead of at once. */
  sendAfter?: Date | null;
  content: MessageContent;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The Create message body of one chunk. `en` is the language OneSignal requires. */
export function createMessageBody(
  config: Pick<OneSignalConfig, "appId" | "smsFrom">,
  message: ChunkMessage,
): Record<string, unknown> {
  const { title, body, data, collapseKey, name } = message.content;
  const text = body?.trim() ? body : title;
  const common: Record<string, unknown> = {
    app_id: config.appId,
    include_aliases: { external_id: message.externalIds },
    target_channel: message.channel,
    idempotency_key: message.idempotencyKey,
    ...(name ? { name } : {}),
    ...(message.sendAfter ? { send_after: message.sendAfter.toISOString() } : {}),
  };
  switch (message.channel) {
    case "push":
      return {
        ...common,
        headings: { en: title },
        contents: { en: text },
        ...(data ? { data } : {}),
        ...(collapseKey ? { collapse_id: collapseKey } : {}),
      };
    case "email":
      return {
        ...common,
        email_subject: title,
        email_body: `<h1>${escapeHtml(title)}</h1>${
          body?.trim() ? `<p>${escapeHtml(body).replace(/\n/g, "<br>")}</p>` : ""
        }`,
      };
    case "sms":
      return {
        ...common,
        contents: { en: body?.trim() ? `${title}\n${body}` : title },
        ...(config.smsFrom ? { sms_from: config.smsFrom } : {}),
      };
  }
}

/** One HTTP attempt, classified. */
export type AttemptResult =
  | {
    outcome: "sent";
    httpStatus: number;
    notificationId: string;
    /** Recipients OneSignal does not know on this channel (errors.invalid_aliases). */
    invalidExternalIds: string[];
    /** True when OneSignal answered from an earlier request with the same idempotency key. */
    replayed: boolean;
    response: unknown;
  }
  | {
    /** 200 without a notification: none of the recipients is subscribed on the channel. */
    outcome: "undeliverable";
    httpStatus: number;
    response: unknown;
  }
  | {
    outcome: "transient";
    /** Null when no answer came (network error, time-out). */
    httpStatus: number | null;
    retryAfterMs: number | null;
    response: unknown;
    error: string;
  }
  | { outcome: "permanent"; httpStatus: number; response: unknown; error: string };

/** Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function errorsOf(response: unknown): unknown {
  return response && typeof response === "object"
    ? (response as { errors?: unknown }).errors
    : undefined;
}

function describeErrors(response: unknown, fallback: string): string {
  const errors = errorsOf(response);
  if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join("; ");
  return fallback;
}

/** Sends one Create message request and classifies the answer. Never throws. */
export async function sendMessageOnce(
  config: Pick<OneSignalConfig, "apiUrl" | "restApiKey" | "requestTimeoutMs">,
  body: Record<string, unknown>,
): Promise<AttemptResult> {
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}/notifications`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        accept: "application/json",
        authorization: `Key ${config.restApiKey}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(config.requestTimeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return {
      outcome: "transient",
      httpStatus: null,
      retryAfterMs: null,
      response: null,
      error: timedOut
        ? `no answer within ${config.requestTimeoutMs} ms`
        : `network error: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  let parsed: unknown = null;
  let text = "";
  try {
    text = await response.text();
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { raw: text.slice(0, 500) };
  }
  const status = response.status;
  if (status === 429 || status >= 500) {
    return {
      outcome: "transient",
      httpStatus: status,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
      response: parsed,
      error: describeErrors(parsed, `HTTP ${status}`),
    };
  }
  // Any other non-2xx answer (4xx, or an unexpected 3xx) will not get better by retrying.
  if (status < 200 || status >= 300) {
    return {
      outcome: "permanent",
      httpStatus: status,
      response: parsed,
      error: describeErrors(parsed, `HTTP ${status}`),
    };
  }
  const id = (parsed as { id?: unknown } | null)?.id;
  if (typeof id !== "string" || id === "") {
    return { outcome: "undeliverable", httpStatus: status, response: parsed };
  }
  const invalid = (errorsOf(parsed) as { invalid_aliases?: { external_id?: unknown } } | undefined)
    ?.invalid_aliases?.external_id;
  return {
    outcome: "sent",
    httpStatus: status,
    notificationId: id,
    invalidExternalIds: Array.isArray(invalid) ? invalid.map(String) : [],
    replayed: response.headers.get("idempotent-replayed")?.toLowerCase() === "true",
    response: parsed,
  };
}

/** Wait before attempt `attempt + 1`: Retry-After when given, else base × 2^(attempt-1) ± 20%. */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  retryBaseMs: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) return retryAfterMs;
  const exponential = retryBaseMs * 2 ** (attempt - 1);
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/**
 * Sends a chunk, retrying transient failures up to `maxAttempts` times. `onAttempt` sees every
 * attempt (to record it) before the next one starts. Returns the last attempt's result.
 */
export async function sendMessageWithRetries(
  config: OneSignalConfig,
  body: Record<string, unknown>,
  onAttempt: (result: AttemptResult, attempt: number, durationMs: number) => Promise<void>,
): Promise<AttemptResult> {
  for (let attempt = 1;; attempt++) {
    const started = performance.now();
    const result = await sendMessageOnce(config, body);
    await onAttempt(result, attempt, Math.round(performance.now() - started));
    if (result.outcome !== "transient" || attempt >= config.maxAttempts) return result;
    const wait = retryDelayMs(attempt, result.retryAfterMs, config.retryBaseMs);
    if (wait > config.maxRetryWaitMs) return result;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
