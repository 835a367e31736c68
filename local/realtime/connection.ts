// One client WebSocket: Phoenix socket duties (heartbeat, routing frames to joined channels,
// idle timeout) for the channels it joins. Frames are handled one at a time, in arrival order,
// as a Phoenix socket process does, so a join finishes before the next frame is looked at.

import type postgres from "postgres";
import type { PlatformKeys } from "../platform/keys.ts";
import { ChannelSession } from "./channel.ts";
import type { Hub, Subscriber } from "./hub.ts";
import type { PresenceRegistry } from "./presence.ts";
import type { PostgresChanges } from "./postgres_changes.ts";
import {
  decodeFrame,
  encodeMessage,
  encodeReply,
  type PhoenixMessage,
  ProtocolError,
  type SerializerVersion,
} from "./protocol.ts";

/** What every connection shares: the database, the keys, and the topic registries. */
export interface RealtimeContext {
  sql: postgres.Sql;
  changes: PostgresChanges;
  keys: PlatformKeys;
  hub: Hub;
  presence: PresenceRegistry<Subscriber>;
  log(message: string): void;
}

/** Phoenix closes a WebSocket that sent nothing (not even a heartbeat) for 60 seconds. */
const IDLE_TIMEOUT_MS = 60_000;

export class ClientConnection {
  readonly #socket: WebSocket;
  readonly #channels = new Map<string, ChannelSession>();
  #pending: Promise<void> = Promise.resolve();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    socket: WebSocket,
    readonly context: RealtimeContext,
    readonly version: SerializerVersion,
    /** The connection's access token (its API key as a JWT): the default for joins. */
    readonly token: string,
    /** The `x-…` headers of the upgrade request, given to RLS as `request.headers`. */
    readonly headers: Record<string, string>,
    private readonly onClose: (connection: ClientConnection) => void,
  ) {
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = () => this.#terminate();
    socket.onerror = () => this.#terminate();
    this.#resetIdleTimer();
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(frame: string | Uint8Array) {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(frame);
  }

  push(message: PhoenixMessage) {
    this.send(encodeMessage(message, this.version));
  }

  reply(request: PhoenixMessage, status: "ok" | "error", response: Record<string, unknown>) {
    this.send(encodeReply(request, status, response, this.version));
  }

  /** Drops a channel that has closed itself. */
  forget(channel: ChannelSession) {
    if (this.#channels.get(channel.topic) === channel) this.#channels.delete(channel.topic);
  }

  log(message: string) {
    this.context.log(message);
  }

  /** Closes the WebSocket (the client will reconnect and rejoin). */
  close(code: number, reason: string) {
    this.#terminate();
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  #receive(data: string | ArrayBuffer) {
    this.#resetIdleTimer();
    let message: PhoenixMessage;
    try {
      message = decodeFrame(data, this.version);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // Phoenix's socket process crashes on a frame it cannot decode, which drops the connection.
      this.log(`closing a connection that sent an invalid frame: ${error.message}`);
      return this.close(1007, "invalid frame");
    }
    this.#pending = this.#pending
      .then(() => this.#handle(message))
      .catch((error) => this.log(`error handling ${message.event} on ${message.topic}: ${error}`));
  }

  async #handle(message: PhoenixMessage) {
    if (this.#closed) return;
    if (message.topic === "phoenix" && message.event === "heartbeat") {
      return this.reply(message, "ok", {});
    }
    if (message.event === "phx_join" && message.topic.startsWith("realtime:")) {
      // A second join of a topic replaces the first, as in Phoenix.
      this.#channels.get(message.topic)?.terminate();
      this.#channels.delete(message.topic);
      const channel = await ChannelSession.join(this, message);
      if (channel && !this.#closed) this.#channels.set(channel.topic, channel);
      else channel?.terminate();
      return;
    }
    const channel = this.#channels.get(message.topic);
    if (!channel) return this.reply(message, "error", { reason: "unmatched topic" });
    await channel.handle(message);
  }

  #resetIdleTimer() {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close(1000, "idle timeout"), IDLE_TIMEOUT_MS);
  }

  #terminate() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    for (const channel of this.#channels.values()) channel.terminate();
    this.#channels.clear();
    this.onClose(this);
  }
}
