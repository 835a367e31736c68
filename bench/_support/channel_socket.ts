// A raw WebSocket joined to one Realtime channel of the platform under benchmark, speaking the
// Phoenix protocol as realtime-js does (serializer 1.0.0, JSON frames: phx_join with a `config`,
// heartbeats, broadcasts). Benchmarks open a thousand of them: as many supabase-js clients in one
// process would measure the client library more than the server.

import { platform } from "../../tests/_support/platform.ts";

/** The platform's Realtime endpoint (settings as in tests/_support/platform.ts). */
export const socketUrl = `${
  platform.url.replace(/^http/, "ws")
}/realtime/v1/websocket?apikey=${platform.publishableKey}&vsn=1.0.0`;

const HEARTBEAT_MS = 20_000;
/** Sockets opened at once by joinAll. */
const CONNECT_BATCH = 50;

export interface ChannelJoin {
  /** The channel's name, without the `realtime:` prefix. */
  channel: string;
  private: boolean;
  accessToken: string;
}

/** One socket, one channel; `Payload` is what the broadcasts it receives carry. */
export class ChannelSocket<Payload = unknown> {
  #socket: WebSocket;
  #ref = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed: Promise<void>;
  /** Called with each broadcast received on the channel. */
  onBroadcast: (payload: Payload, event: string) => void = () => {};

  private constructor(socket: WebSocket, readonly topic: string) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
  }

  /** Opens a socket and joins the channel; rejects with the server's reason if refused. */
  static async join<Payload>(join: ChannelJoin): Promise<ChannelSocket<Payload>> {
    const socket = new WebSocket(socketUrl);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", () => reject(new Error("WebSocket failed")), { once: true });
    });
    const member = new ChannelSocket<Payload>(socket, `realtime:${join.channel}`);
    const joinRef = member.#push("phx_join", {
      config: {
        broadcast: { self: false, ack: false },
        presence: { enabled: false },
        private: join.private,
      },
      access_token: join.accessToken,
    });
    await new Promise<void>((resolve, reject) => {
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.event !== "phx_reply" || message.ref !== joinRef) return;
        if (message.payload.status === "ok") resolve();
        else reject(new Error(`join refused: ${JSON.stringify(message.payload)}`));
      };
    });
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.event === "broadcast") {
        member.onBroadcast(message.payload.payload, message.payload.event);
      }
    };
    member.#heartbeat = setInterval(() => member.#push("heartbeat", {}, "phoenix"), HEARTBEAT_MS);
    return member;
  }

  /** Joins every channel of `joins`, CONNECT_BATCH sockets at a time. */
  static async joinAll<Payload>(joins: readonly ChannelJoin[]): Promise<ChannelSocket<Payload>[]> {
    const sockets: ChannelSocket<Payload>[] = [];
    for (let start = 0; start < joins.length; start += CONNECT_BATCH) {
      const batch = joins.slice(start, start + CONNECT_BATCH);
      sockets.push(...await Promise.all(batch.map((join) => ChannelSocket.join<Payload>(join))));
    }
    return sockets;
  }

  #push(event: string, payload: unknown, topic = this.topic): string {
    const ref = String(++this.#ref);
    this.#socket.send(JSON.stringify({ topic, event, payload, ref, join_ref: "1" }));
    return ref;
  }

  broadcast(event: string, payload: Payload): void {
    this.#push("broadcast", { type: "broadcast", event, payload });
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#socket.close();
    await this.#closed;
  }
}
