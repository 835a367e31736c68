// One joined channel of one client connection: what Realtime's RealtimeChannel process does for a
// `realtime:<topic>` join — token checks, private-channel authorization, broadcast, presence,
// access-token refresh and expiry. Error reasons and system messages are Realtime's own words.

import type { JwtClaims } from "../platform/jwt.ts";
import {
  type AuthorizationContext,
  AuthorizationError,
  authorizeRead,
  authorizeWrite,
  type Extension,
  type Grants,
} from "./authorization.ts";
import type { ClientConnection } from "./connection.ts";
import { hubTopic, type Subscriber } from "./hub.ts";
import type { PresenceDiff } from "./presence.ts";
import {
  type ChangeBinding,
  type ChangeData,
  type ChangeSubscriber,
  parseBinding,
} from "./postgres_changes.ts";
import {
  type BroadcastMessage,
  encodeBroadcast,
  type PhoenixMessage,
  UserBroadcast,
} from "./protocol.ts";
import { checkAccessToken, isApiKey } from "./tokens.ts";

/** Realtime re-checks a channel's token at least this often, and at its expiry. */
const TOKEN_CHECK_INTERVAL_MS = 5 * 60 * 1000;
/** Realtime's default limit on track/untrack calls per channel: 5 per 30 seconds. */
const PRESENCE_CALLS_PER_WINDOW = 5;
const PRESENCE_WINDOW_MS = 30_000;
/** Realtime's default `max_payload_size_in_kb` (3000). */
const MAX_PAYLOAD_BYTES = 3000 * 1000;

/** What a private channel may do; null until checked. */
interface Policies {
  broadcastRead: boolean | null;
  presenceRead: boolean | null;
  broadcastWrite: boolean | null;
  presenceWrite: boolean | null;
}

const UNCHECKED: Policies = {
  broadcastRead: null,
  presenceRead: null,
  broadcastWrite: null,
  presenceWrite: null,
};

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Realtime's FlexibleBoolean: true or "true". */
function flag(value: unknown): boolean {
  return value === true || value === "true";
}

function payloadSize(payload: BroadcastMessage | JsonObject): number {
  return payload instanceof UserBroadcast
    ? payload.body.length
    : new TextEncoder().encode(JSON.stringify(payload)).length;
}

/** The reason a refused join or a shutdown gives for an authorization that could not run. */
function authorizationFailure(error: AuthorizationError, topic: string) {
  switch (error.kind) {
    case "missing_partition":
      return {
        join: "MissingPartition: Realtime was unable to find the expected messages partition",
        shutdown: "Realtime was unable to connect to the project database",
      };
    case "database_unavailable":
      return {
        join: "UnableToConnectToProject: Realtime was unable to connect to the project database",
        shutdown: "Realtime was unable to connect to the project database",
      };
    case "rls_policy_error":
      return {
        join: `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
        shutdown: `You do not have permissions to read from this Channel topic: ${topic}`,
      };
  }
}

export class ChannelSession implements Subscriber, ChangeSubscriber {
  /** Topic as joined, `realtime:<name>`. */
  readonly topic: string;
  /** Channel name, the topic without `realtime:` (what `realtime.topic()` returns). */
  readonly name: string;
  readonly joinRef: string | null;
  readonly isPrivate: boolean;
  readonly hubTopic: string;
  readonly #connection: ClientConnection;
  readonly #selfBroadcast: boolean;
  readonly #ackBroadcast: boolean;
  readonly #presenceKey: string;
  #presenceEnabled: boolean;
  #accessToken: string;
  #claims: JwtClaims;
  #policies: Policies = { ...UNCHECKED };
  #trackedPayload: string | null = null;
  #presenceWindow = { calls: 0, resetAt: 0 };
  #tokenTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  private constructor(
    connection: ClientConnection,
    request: PhoenixMessage,
    config: JsonObject,
    accessToken: string,
    claims: JwtClaims,
  ) {
    const broadcast = isObject(config.broadcast) ? config.broadcast : {};
    const presence = isObject(config.presence) ? config.presence : {};
    this.#connection = connection;
    this.topic = request.topic;
    this.name = request.topic.slice("realtime:".length);
    this.joinRef = request.joinRef;
    this.isPrivate = flag(config.private);
    this.hubTopic = hubTopic(this.name, this.isPrivate);
    this.#selfBroadcast = flag(broadcast.self);
    this.#ackBroadcast = flag(broadcast.ack);
    this.#presenceEnabled = flag(presence.enabled);
    const key = presence.key;
    this.#presenceKey = key === undefined || key === null || key === ""
      ? crypto.randomUUID()
      : String(key);
    this.#accessToken = accessToken;
    this.#claims = claims;
  }

  /**
   * Handles `phx_join`: replies, and returns the joined channel, or null when the join was
   * refused.
   */
  static async join(
    connection: ClientConnection,
    request: PhoenixMessage,
  ): Promise<ChannelSession | null> {
    const refuse = (reason: string) => {
      connection.reply(request, "error", { reason });
      return null;
    };
    if (request.topic === "realtime:") {
      return refuse("TopicNameRequired: You must provide a topic name");
    }
    const params = isObject(request.payload) ? request.payload : {};
    const config = isObject(params.config) ? params.config : {};
    const requested = Array.isArray(config.postgres_changes)
      ? config.postgres_changes.filter((change) => change !== null)
      : [];
    const bindings: ChangeBinding[] = [];
    for (const change of requested) {
      const binding = parseBinding(change, connection.context.changes.nextBindingId());
      if (typeof binding === "string") {
        return refuse(`Unable to subscribe to changes with given parameters: ${binding}`);
      }
      bindings.push(binding);
    }

    const accessToken = ChannelSession.#pickAccessToken(params, connection);
    const check = await checkAccessToken(accessToken, connection.context.keys.jwtSecret);
    if (!check.ok) return refuse(`${check.code}: ${check.message}`);

    const channel = new ChannelSession(connection, request, config, accessToken, check.claims);
    if (channel.isPrivate) {
      const refusal = await channel.#authorizeRead();
      if (refusal) return refuse(refusal.join);
    }
    if (connection.closed) return null;

    connection.context.hub.subscribe(channel.hubTopic, channel);
    await connection.context.changes.subscribe(channel, bindings);
    connection.reply(request, "ok", { postgres_changes: bindings });
    if (bindings.length > 0) {
      channel.#push("system", {
        extension: "postgres_changes",
        status: "ok",
        message: "Subscribed to PostgreSQL",
        channel: channel.name,
      });
    }
    if (channel.#presenceEnabled && channel.#canReadPresence()) channel.#pushPresenceState();
    const broadcast = isObject(config.broadcast) ? config.broadcast : {};
    if (flag(broadcast.replication_ready)) {
      // Database broadcasts flow as soon as the server runs (it LISTENs from the start).
      channel.#push("system", {
        extension: "system",
        status: "ok",
        message: "Replication connection established",
        channel: channel.name,
      });
    }
    channel.#scheduleTokenCheck();
    return channel;
  }

  /** The join's `access_token` (or `user_token`), else the connection's API key token. */
  static #pickAccessToken(params: JsonObject, connection: ClientConnection): string {
    const token = params.access_token;
    if (typeof token === "string" && isApiKey(token)) return connection.token;
    if (typeof params.user_token === "string") return params.user_token;
    if (typeof token === "string") return token;
    return connection.token;
  }

  /** Handles a message the client sent to this channel. */
  async handle(request: PhoenixMessage) {
    switch (request.event) {
      case "broadcast":
        return await this.#handleBroadcast(request);
      case "presence":
        return await this.#handlePresence(request);
      case "access_token":
        return await this.#handleAccessToken(request);
      case "phx_leave":
        this.#connection.reply(request, "ok", {});
        return this.#close();
      default:
        // Anything else is ignored, as Realtime does.
        return;
    }
  }

  deliverBroadcast(message: BroadcastMessage) {
    if (this.isPrivate && this.#policies.broadcastRead !== true) return;
    const frame = encodeBroadcast(this.topic, message, this.#connection.version);
    if (frame !== null) this.#connection.send(frame);
  }

  claims(): JwtClaims {
    return this.#claims;
  }

  deliverChange(ids: number[], data: ChangeData) {
    this.#push("postgres_changes", { ids, data });
  }

  deliverPresenceDiff(diff: PresenceDiff) {
    if (!this.#canReadPresence()) return;
    this.#push("presence_diff", diff);
  }

  /** Ends the channel without telling the client (its connection is gone). */
  terminate() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#tokenTimer);
    const { hub, presence, changes } = this.#connection.context;
    hub.unsubscribe(this.hubTopic, this);
    changes.unsubscribe(this);
    const diff = presence.untrack(this.hubTopic, this);
    if (diff) hub.presenceDiff(this.hubTopic, diff);
  }

  /** Ends the channel and tells the client with `phx_close`, as a Realtime channel that stops. */
  #close() {
    this.terminate();
    this.#connection.forget(this);
    this.#connection.push({
      joinRef: this.joinRef,
      ref: this.joinRef,
      topic: this.topic,
      event: "phx_close",
      payload: {},
    });
  }

  /** Realtime's shutdown_response: a `system` error message, then the channel closes. */
  #shutdown(message: string) {
    if (this.#closed) return;
    this.#push("system", { extension: "system", status: "error", message, channel: this.name });
    this.#close();
  }

  #push(event: string, payload: unknown) {
    this.#connection.push({ joinRef: this.joinRef, ref: null, topic: this.topic, event, payload });
  }

  #pushPresenceState() {
    this.#push("presence_state", this.#connection.context.presence.list(this.hubTopic));
  }

  #canReadPresence(): boolean {
    return !this.isPrivate || this.#policies.presenceRead === true;
  }

  #authorizationContext(): AuthorizationContext {
    return { topic: this.name, claims: this.#claims, headers: this.#connection.headers };
  }

  /**
   * Checks read access of a private channel (presence too when enabled). Returns the refusal, or
   * null when the channel may read broadcast or presence.
   */
  async #authorizeRead(): Promise<{ join: string; shutdown: string } | null> {
    const extensions: Extension[] = this.#presenceEnabled
      ? ["broadcast", "presence"]
      : ["broadcast"];
    try {
      this.#apply(
        "Read",
        await authorizeRead(this.#connection.context.sql, this.#authorizationContext(), extensions),
      );
    } catch (error) {
      if (!(error instanceof AuthorizationError)) throw error;
      this.#connection.log(`authorization of ${this.name} failed: ${error.message}`);
      return authorizationFailure(error, this.name);
    }
    if (this.#policies.broadcastRead || this.#policies.presenceRead) return null;
    return authorizationFailure(
      new AuthorizationError("rls_policy_error", "no read policy"),
      this.name,
    );
  }

  /** Checks write access of a private channel, once per token. False if it could not be checked. */
  async #authorizeWrite(): Promise<boolean> {
    try {
      const grants = await authorizeWrite(
        this.#connection.context.sql,
        this.#authorizationContext(),
        ["broadcast", "presence"],
      );
      this.#apply("Write", grants);
      return true;
    } catch (error) {
      if (!(error instanceof AuthorizationError)) throw error;
      this.#connection.log(`write authorization of ${this.name} failed: ${error.message}`);
      return false;
    }
  }

  #apply(access: "Read" | "Write", grants: Grants) {
    if (grants.broadcast !== undefined) this.#policies[`broadcast${access}`] = grants.broadcast;
    if (grants.presence !== undefined) this.#policies[`presence${access}`] = grants.presence;
  }

  async #handleBroadcast(request: PhoenixMessage) {
    const payload = request.payload;
    if (!(payload instanceof UserBroadcast) && !isObject(payload)) return;
    if (this.isPrivate) {
      if (this.#policies.broadcastWrite === null && !(await this.#authorizeWrite())) return;
      if (!this.#policies.broadcastWrite) return;
    }
    if (payloadSize(payload) > MAX_PAYLOAD_BYTES) {
      if (this.#ackBroadcast) {
        this.#connection.reply(request, "error", { reason: "payload_size_exceeded" });
      }
      return;
    }
    const { hub } = this.#connection.context;
    hub.broadcast(this.hubTopic, payload, this.#selfBroadcast ? undefined : this);
    if (this.#ackBroadcast) this.#connection.reply(request, "ok", {});
  }

  async #handlePresence(request: PhoenixMessage) {
    const payload = isObject(request.payload) ? request.payload : {};
    if (typeof payload.event !== "string") {
      this.#connection.reply(request, "ok", {});
      return;
    }
    const now = Date.now();
    if (now > this.#presenceWindow.resetAt) {
      this.#presenceWindow = { calls: 1, resetAt: now + PRESENCE_WINDOW_MS };
    } else if (this.#presenceWindow.calls >= PRESENCE_CALLS_PER_WINDOW) {
      return this.#shutdown("Client presence rate limit exceeded");
    } else {
      this.#presenceWindow.calls++;
    }

    const { hub, presence } = this.#connection.context;
    switch (payload.event.toLowerCase()) {
      case "track": {
        if (!(await this.#mayTrack())) {
          this.#connection.reply(request, "error", {});
          return;
        }
        const tracked = payload.payload ?? {};
        if (!isObject(tracked)) {
          this.#connection.reply(request, "error", {
            reason: "Presence track payload must be a map",
          });
          return;
        }
        const serialized = JSON.stringify(tracked);
        if (serialized.length > MAX_PAYLOAD_BYTES) {
          return this.#shutdown("Track message size exceeded");
        }
        if (serialized !== this.#trackedPayload) {
          this.#presenceEnabled = true;
          this.#trackedPayload = serialized;
          hub.presenceDiff(
            this.hubTopic,
            presence.track(this.hubTopic, this, this.#presenceKey, tracked),
          );
        }
        this.#connection.reply(request, "ok", {});
        return;
      }
      case "untrack": {
        const diff = presence.untrack(this.hubTopic, this);
        if (diff) hub.presenceDiff(this.hubTopic, diff);
        this.#trackedPayload = null;
        this.#connection.reply(request, "ok", {});
        return;
      }
      default:
        this.#connection.reply(request, "error", {});
    }
  }

  /** Public channels may always track; private ones need presence write (and read, checked now). */
  async #mayTrack(): Promise<boolean> {
    if (!this.isPrivate) return true;
    if (this.#policies.presenceWrite === null) {
      if (this.#policies.presenceRead === null) {
        try {
          this.#apply(
            "Read",
            await authorizeRead(this.#connection.context.sql, this.#authorizationContext(), [
              "presence",
            ]),
          );
        } catch (error) {
          if (!(error instanceof AuthorizationError)) throw error;
          this.#connection.log(`presence authorization of ${this.name} failed: ${error.message}`);
          return false;
        }
      }
      if (!(await this.#authorizeWrite())) return false;
    }
    return this.#policies.presenceWrite === true;
  }

  async #handleAccessToken(request: PhoenixMessage) {
    const payload = isObject(request.payload) ? request.payload : {};
    const token = payload.access_token;
    if (typeof token !== "string" || isApiKey(token) || token === this.#accessToken) return;

    const previous = this.#policies;
    this.#accessToken = token;
    this.#policies = { ...UNCHECKED };
    const check = await checkAccessToken(token, this.#connection.context.keys.jwtSecret);
    if (!check.ok) return this.#shutdown(check.message);
    this.#claims = check.claims;
    if (this.isPrivate) {
      const refusal = await this.#authorizeRead();
      if (refusal) return this.#shutdown(refusal.shutdown);
      const revoked = (before: boolean | null, now: boolean | null) =>
        before === true && now === false;
      if (
        revoked(previous.broadcastRead, this.#policies.broadcastRead) ||
        revoked(previous.presenceRead, this.#policies.presenceRead)
      ) {
        return this.#shutdown(
          `You no longer have permission to read from this Channel topic: ${this.name}`,
        );
      }
    }
    this.#scheduleTokenCheck();
  }

  /** Re-checks the token at its expiry (and every 5 minutes); an expired token ends the channel. */
  #scheduleTokenCheck() {
    clearTimeout(this.#tokenTimer);
    const expiresInMs = ((this.#claims.exp ?? 0) * 1000) - Date.now();
    this.#tokenTimer = setTimeout(async () => {
      const check = await checkAccessToken(
        this.#accessToken,
        this.#connection.context.keys.jwtSecret,
      );
      if (this.#closed) return;
      if (check.ok) this.#scheduleTokenCheck();
      else this.#shutdown(check.message);
    }, Math.max(0, Math.min(TOKEN_CHECK_INTERVAL_MS, expiresInMs + 1000)));
  }
}
