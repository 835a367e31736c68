// One simulated member's Realtime connection: a single WebSocket multiplexing several channels,
// as one supabase-js client does (Phoenix protocol, serializer 1.0.0, JSON frames). Counts every
// frame it receives by kind, so the harness can report messages per second per member.

import { socketUrl } from "../_support/channel_socket.ts";

const HEARTBEAT_MS = 25_000;

/** What the harness counts; every received frame falls in one kind. */
export type FrameKind = "messages" | "typing" | "presence" | "notifications" | "other";

const KIND_OF_EVENT: Record<string, FrameKind> = {
  message_created: "messages",
  message_edited: "messages",
  message_deleted: "messages",
  message_received: "messages",
  read_receipt: "messages",
  typing: "typing",
  contact_presence: "presence",
  notification: "notifications",
  inbox: "notifications",
};

export interface JoinOptions {
  topic: string;
  private: boolean;
  /** Presence key, when the channel tracks presence. */
  presenceKey?: string;
}

export class MemberSocket {
  #socket: WebSocket;
  #ref = 0;
  #joinRefs = new Map<string, string>();
  #replies = new Map<string, (payload: { status: string; response: unknown }) => void>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed: Promise<void>;
  readonly received: Record<FrameKind, number> = {
    messages: 0,
    typing: 0,
    presence: 0,
    notifications: 0,
    other: 0,
  };
  /** Called with every broadcast: its topic (without `realtime:`), event and payload. */
  onBroadcast: (topic: string, event: string, payload: Record<string, unknown>) => void = () => {};
  errors = 0;

  private constructor(socket: WebSocket, readonly accessToken: string) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
    socket.onerror = () => this.errors++;
    socket.onmessage = (event) => this.#receive(JSON.parse(event.data));
  }

  static async open(accessToken: string): Promise<MemberSocket> {
    const socket = new WebSocket(socketUrl);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", () => reject(new Error("WebSocket failed")), { once: true });
    });
    const member = new MemberSocket(socket, accessToken);
    member.#heartbeat = setInterval(() => member.#push("phoenix", "heartbeat", {}), HEARTBEAT_MS);
    return member;
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  #receive(frame: { topic: string; event: string; payload: Record<string, unknown>; ref: string }) {
    if (frame.event === "phx_reply") {
      const reply = this.#replies.get(frame.ref);
      this.#replies.delete(frame.ref);
      reply?.(frame.payload as { status: string; response: unknown });
      return;
    }
    if (frame.event === "presence_state" || frame.event === "presence_diff") {
      this.received.presence++;
      return;
    }
    if (frame.event !== "broadcast") {
      this.received.other++;
      return;
    }
    const broadcast = frame.payload as { event: string; payload: Record<string, unknown> };
    this.received[KIND_OF_EVENT[broadcast.event] ?? "other"]++;
    this.onBroadcast(frame.topic.replace(/^realtime:/, ""), broadcast.event, broadcast.payload);
  }

  #push(topic: string, event: string, payload: unknown, joinRef?: string): string {
    const ref = String(++this.#ref);
    this.#socket.send(JSON.stringify({ topic, event, payload, ref, join_ref: joinRef ?? null }));
    return ref;
  }

  #request(topic: string, event: string, payload: unknown, joinRef?: string) {
    const ref = this.#push(topic, event, payload, joinRef);
    return new Promise<{ status: string; response: unknown }>((resolve) =>
      this.#replies.set(ref, resolve)
    );
  }

  /** Joins a channel; resolves with the time the join took, or rejects with the refusal. */
  async join(options: JoinOptions): Promise<number> {
    const topic = `realtime:${options.topic}`;
    const startedAt = performance.now();
    const joinRef = String(this.#ref + 1);
    const reply = await this.#request(topic, "phx_join", {
      config: {
        broadcast: { self: false, ack: false },
        presence: { enabled: options.presenceKey !== undefined, key: options.presenceKey ?? "" },
        private: options.private,
      },
      access_token: this.accessToken,
    }, joinRef);
    if (reply.status !== "ok") throw new Error(`join refused: ${JSON.stringify(reply.response)}`);
    this.#joinRefs.set(options.topic, joinRef);
    return performance.now() - startedAt;
  }

  async leave(topic: string): Promise<void> {
    const joinRef = this.#joinRefs.get(topic);
    this.#joinRefs.delete(topic);
    await this.#request(`realtime:${topic}`, "phx_leave", {}, joinRef);
  }

  track(topic: string, state: Record<string, unknown>): void {
    this.#push(`realtime:${topic}`, "presence", {
      type: "presence",
      event: "track",
      payload: state,
    }, this.#joinRefs.get(topic));
  }

  broadcast(topic: string, event: string, payload: Record<string, unknown>): void {
    this.#push(`realtime:${topic}`, "broadcast", {
      type: "broadcast",
      event,
      payload,
    }, this.#joinRefs.get(topic));
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#socket.close();
    await this.#closed;
  }
}
