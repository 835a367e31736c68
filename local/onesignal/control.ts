// The control API of the OneSignal stand-in (server.ts), over HTTP so that a test process can
// drive a stand-in that the test platform started: faults, subscriptions, recorded traffic.

export interface FaultSettings {
  /** Fraction of requests answered with one of failureStatuses, before anything is delivered. */
  failureRate: number;
  failureStatuses: number[];
  /** Retry-After sent with a 429. */
  retryAfterSeconds: number;
  /** Fraction of requests delivered but answered only after stallMs (the client times out). */
  stallRate: number;
  stallMs: number;
  /** Added before every answer. */
  latencyMs: number;
  /** Seed of the pseudo-random draws, for replayable runs. */
  seed: number;
}

export interface SubscriptionSettings {
  /** External ids with no subscription on a channel: reported in invalid_aliases. */
  unsubscribed?: Partial<Record<"push" | "email" | "sms", string[]>>;
  /** Channels answered with a 400 (not set up for the app): a permanent failure. */
  disabledChannels?: ("push" | "email" | "sms")[];
}

export interface RecordedRequest {
  at: string;
  status: number;
  outcome: "created" | "created_then_stalled" | "replayed" | "injected_failure" | "rejected";
  channel: string | null;
  recipients: number;
  idempotencyKey: string | null;
}

/** A notification the stand-in accepted: once per idempotency key. */
export interface StandInNotification {
  id: string;
  idempotencyKey: string | null;
  channel: "push" | "email" | "sms";
  /** The message's internal name (`name`), if it had one. */
  name: string | null;
  /** Recipients reached (subscribed on the channel). */
  externalIds: string[];
  invalidExternalIds: string[];
  sendAfter: string | null;
  headings: unknown;
  contents: unknown;
  emailSubject: string | null;
  data: unknown;
  createdAt: string;
}

export interface StandInState {
  faults: FaultSettings;
  disabledChannels: string[];
  requests: RecordedRequest[];
  notifications: StandInNotification[];
  /** Requests answered from an earlier one with the same idempotency key. */
  replays: number;
}

/** Drives a stand-in over HTTP. */
export class OneSignalStandInControl {
  constructor(readonly url: string) {}

  async #call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/__control/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`stand-in control ${path}: HTTP ${response.status} ${await response.text()}`);
    }
    return await response.json() as T;
  }

  /** Back to a clean, fault-free stand-in with no recorded traffic. */
  reset(): Promise<unknown> {
    return this.#call("POST", "reset", {});
  }

  /** Sets the faults (unspecified settings go back to no fault). */
  setFaults(faults: Partial<FaultSettings>): Promise<FaultSettings> {
    return this.#call("POST", "faults", faults);
  }

  setSubscriptions(settings: SubscriptionSettings): Promise<unknown> {
    return this.#call("POST", "subscriptions", settings);
  }

  state(): Promise<StandInState> {
    return this.#call("GET", "state");
  }
}
