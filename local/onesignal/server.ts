// A OneSignal stand-in for tests and benchmarks (never deployed): an HTTP server answering
// POST /notifications as OneSignal's Create message API does, for what this project sends —
// users targeted by external id on one channel (push, email, SMS).
//
// Like the real API it checks the App API key and the app id, validates the body (400 with
// `errors`), deduplicates idempotency keys (a replay answers the first result again, with
// `Idempotent-Replayed: true`, and delivers nothing), reports recipients it has no subscription
// for in `errors.invalid_aliases.external_id`, and answers `{id: "", errors: [...]}` when none
// is subscribed. It records every request and every notification it "delivered".
//
// Faults on demand (control API): a fraction of requests fail with 500/429 (+ Retry-After)
// before anything is delivered; a fraction are delivered but answered only after a stall (the
// client times out and must retry with the same key); whole channels can be refused with a 400
// (a permanent error); added latency. The control API is HTTP (`/__control/*`, see control.ts)
// so that tests in another process can drive a stand-in started by the test platform.

import {
  type FaultSettings,
  OneSignalStandInControl,
  type RecordedRequest,
  type StandInNotification,
  type StandInState,
  type SubscriptionSettings,
} from "./control.ts";

export type { FaultSettings, RecordedRequest, StandInNotification, StandInState };

export const DEFAULT_APP_ID = "5eed0000-0000-4000-8000-00000000a001";
export const DEFAULT_API_KEY = "os_v2_app_local_stand_in_key";
/** OneSignal's limit of include_aliases entries per request. */
const MAX_ALIASES = 20_000;
const CHANNELS = ["push", "email", "sms"] as const;
type Channel = typeof CHANNELS[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NO_FAULTS: FaultSettings = {
  failureRate: 0,
  failureStatuses: [500, 429],
  retryAfterSeconds: 1,
  stallRate: 0,
  stallMs: 30_000,
  latencyMs: 0,
  seed: 1,
};

export interface StandInOptions {
  /** 0 picks a free port. */
  port?: number;
  hostname?: string;
  appId?: string;
  apiKey?: string;
}

export interface OneSignalStandIn {
  url: string;
  appId: string;
  apiKey: string;
  /** The control API over HTTP, as a test in another process would use it. */
  control: OneSignalStandInControl;
  /** The stand-in's state, read in this process. */
  state(): StandInState;
  close(): Promise<void>;
}

/** Deterministic pseudo-random numbers (mulberry32), so a faulty run can be replayed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StoredAnswer {
  status: number;
  body: unknown;
}

export function startOneSignalStandIn(options: StandInOptions = {}): OneSignalStandIn {
  const appId = options.appId ?? DEFAULT_APP_ID;
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  let faults: FaultSettings = { ...NO_FAULTS };
  let random = randomSource(faults.seed);
  let unsubscribed: Record<Channel, Set<string>> = emptySubscriptions();
  let disabledChannels = new Set<Channel>();
  let requests: RecordedRequest[] = [];
  let notifications: StandInNotification[] = [];
  let answers = new Map<string, StoredAnswer>();

  function emptySubscriptions(): Record<Channel, Set<string>> {
    return { push: new Set(), email: new Set(), sms: new Set() };
  }

  function state(): StandInState {
    return {
      faults,
      disabledChannels: [...disabledChannels],
      requests,
      notifications,
      replays: requests.filter((request) => request.outcome === "replayed").length,
    };
  }

  function reset(): void {
    faults = { ...NO_FAULTS };
    random = randomSource(faults.seed);
    unsubscribed = emptySubscriptions();
    disabledChannels = new Set();
    requests = [];
    notifications = [];
    answers = new Map();
  }

  /** Checks a Create message body as OneSignal does; returns the errors, empty when valid. */
  function validationErrors(body: Record<string, unknown>): string[] {
    const errors: string[] = [];
    if (body.app_id !== appId) {
      errors.push("app_id not found. You may be missing a Content-Type: application/json header.");
      return errors;
    }
    const aliases = (body.include_aliases as { external_id?: unknown } | undefined)?.external_id;
    if (!Array.isArray(aliases) || aliases.length === 0) {
      errors.push("include_aliases.external_id must be a non-empty array (only targeting here).");
    } else if (aliases.length > MAX_ALIASES) {
      errors.push(`include_aliases: at most ${MAX_ALIASES} aliases per request.`);
    }
    const channel = body.target_channel;
    if (!CHANNELS.includes(channel as Channel)) {
      errors.push('target_channel must be "push", "email" or "sms" with include_aliases.');
    }
    if (body.idempotency_key !== undefined && !UUID.test(String(body.idempotency_key))) {
      errors.push("idempotency_key must be a UUID.");
    }
    if (body.send_after !== undefined && Number.isNaN(Date.parse(String(body.send_after)))) {
      errors.push("send_after is not a valid date.");
    }
    const english = (body.contents as { en?: unknown } | undefined)?.en;
    if ((channel === "push" || channel === "sms") && typeof english !== "string") {
      errors.push("Message Notifications must have English language content");
    }
    if (channel === "email" && (typeof body.email_subject !== "string" || !body.email_body)) {
      errors.push("Email messages need email_subject and email_body.");
    }
    return errors;
  }

  /** Delivers a valid message: what the real API does once per idempotency key. */
  function deliver(body: Record<string, unknown>): StoredAnswer {
    const channel = body.target_channel as Channel;
    const targets = [
      ...new Set(
        (body.include_aliases as { external_id: unknown[] }).external_id.map(String),
      ),
    ];
    const invalid = targets.filter((id) => unsubscribed[channel].has(id));
    const reached = targets.filter((id) => !unsubscribed[channel].has(id));
    if (reached.length === 0) {
      return { status: 200, body: { id: "", errors: ["All included players are not subscribed"] } };
    }
    const id = crypto.randomUUID();
    notifications.push({
      id,
      idempotencyKey: typeof body.idempotency_key === "string" ? body.idempotency_key : null,
      channel,
      name: typeof body.name === "string" ? body.name : null,
      externalIds: reached,
      invalidExternalIds: invalid,
      sendAfter: typeof body.send_after === "string" ? body.send_after : null,
      headings: body.headings ?? null,
      contents: body.contents ?? null,
      emailSubject: typeof body.email_subject === "string" ? body.email_subject : null,
      data: body.data ?? null,
      createdAt: new Date().toISOString(),
    });
    return {
      status: 200,
      body: invalid.length > 0
        ? { id, external_id: null, errors: { invalid_aliases: { external_id: invalid } } }
        : { id, external_id: null },
    };
  }

  async function createMessage(request: Request): Promise<Response> {
    const record: RecordedRequest = {
      at: new Date().toISOString(),
      status: 0,
      outcome: "rejected",
      channel: null,
      recipients: 0,
      idempotencyKey: null,
    };
    requests.push(record);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      return json(status, body, headers);
    };
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);

    const authorization = request.headers.get("authorization") ?? "";
    const presented = authorization.match(/^(?:Key|Basic)\s+(.+)$/i)?.[1];
    if (presented !== apiKey) {
      return answer(403, {
        errors: [
          "Access denied.  Please include an 'Authorization: Key <token>' header with a valid API key.",
        ],
      });
    }
    let body: Record<string, unknown>;
    try {
      const parsed = JSON.parse(await request.text());
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
      body = parsed;
    } catch {
      return answer(400, { errors: ["Request body is not valid JSON."] });
    }
    record.channel = typeof body.target_channel === "string" ? body.target_channel : null;
    const aliases = (body.include_aliases as { external_id?: unknown } | undefined)?.external_id;
    record.recipients = Array.isArray(aliases) ? aliases.length : 0;
    record.idempotencyKey = typeof body.idempotency_key === "string" ? body.idempotency_key : null;

    if (random() < faults.failureRate) {
      record.outcome = "injected_failure";
      const statuses = faults.failureStatuses.length > 0 ? faults.failureStatuses : [500];
      const status = statuses[Math.floor(random() * statuses.length)];
      return status === 429
        ? answer(429, { errors: ["API rate limit exceeded."] }, {
          "retry-after": String(faults.retryAfterSeconds ?? 1),
        })
        : answer(status, { errors: ["Internal server error"] });
    }
    const errors = validationErrors(body);
    if (errors.length > 0) return answer(400, { errors });
    if (disabledChannels.has(body.target_channel as Channel)) {
      return answer(400, {
        errors: [`The ${body.target_channel} channel is not set up for this app.`],
      });
    }

    const stall = random() < faults.stallRate;
    const key = record.idempotencyKey;
    let stored = key ? answers.get(key) : undefined;
    if (stored) {
      record.outcome = "replayed";
    } else {
      stored = deliver(body);
      record.outcome = "created";
      if (key) answers.set(key, stored);
    }
    if (stall) {
      // Delivered, but the answer comes too late: the client gives up and retries.
      record.outcome = record.outcome === "created" ? "created_then_stalled" : record.outcome;
      await sleep(faults.stallMs);
    }
    return answer(
      stored.status,
      stored.body,
      record.outcome === "replayed" ? { "idempotent-replayed": "true" } : {},
    );
  }

  async function control(request: Request, path: string): Promise<Response> {
    const body = request.method === "POST" ? await request.json().catch(() => ({})) : {};
    switch (`${request.method} ${path}`) {
      case "GET /__control/state":
        return json(200, state());
      case "POST /__control/reset":
        reset();
        return json(200, { ok: true });
      case "POST /__control/faults":
        faults = { ...NO_FAULTS, ...(body as Partial<FaultSettings>) };
        random = randomSource(faults.seed);
        return json(200, faults);
      case "POST /__control/subscriptions": {
        const settings = body as SubscriptionSettings;
        for (const channel of CHANNELS) {
          for (const id of settings.unsubscribed?.[channel] ?? []) unsubscribed[channel].add(id);
        }
        disabledChannels = new Set(
          (settings.disabledChannels ?? []).filter((channel) => CHANNELS.includes(channel)),
        );
        return json(200, { ok: true });
      }
      default:
        return json(404, { errors: [`No control endpoint ${request.method} ${path}`] });
    }
  }

  const server = Deno.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    onListen: () => {},
  }, (request) => {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    if (path.startsWith("/__control/")) return control(request, path);
    // The current base URL (https://api.onesignal.com) and the legacy one (…/api/v1).
    if (
      request.method === "POST" && (path === "/notifications" || path === "/api/v1/notifications")
    ) {
      return createMessage(request);
    }
    return json(404, { errors: ["Not found (the stand-in implements POST /notifications)"] });
  });

  const { hostname, port } = server.addr as Deno.NetAddr;
  const url = `http://${hostname}:${port}`;
  return {
    url,
    control: new OneSignalStandInControl(url),
    appId,
    apiKey,
    state,
    close: () => server.shutdown(),
  };
}
