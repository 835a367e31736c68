// Who is subscribed to what. Public and private channels of the same name are different topics,
// as on hosted Realtime.

import type { BroadcastMessage } from "./protocol.ts";
import type { PresenceDiff } from "./presence.ts";

/** A joined channel, as seen by whoever sends to its topic. */
export interface Subscriber {
  /** Sends a broadcast to the client unless it may not read broadcasts on this topic. */
  deliverBroadcast(message: BroadcastMessage): void;
  /** Sends a presence diff to the client unless it may not read presence on this topic. */
  deliverPresenceDiff(diff: PresenceDiff): void;
}

export function hubTopic(topic: string, isPrivate: boolean): string {
  return `${isPrivate ? "private" : "public"}:${topic}`;
}

export class Hub {
  #subscribers = new Map<string, Set<Subscriber>>();

  subscribe(topic: string, subscriber: Subscriber) {
    let subscribers = this.#subscribers.get(topic);
    if (!subscribers) this.#subscribers.set(topic, subscribers = new Set());
    subscribers.add(subscriber);
  }

  unsubscribe(topic: string, subscriber: Subscriber) {
    const subscribers = this.#subscribers.get(topic);
    subscribers?.delete(subscriber);
    if (subscribers?.size === 0) this.#subscribers.delete(topic);
  }

  broadcast(topic: string, message: BroadcastMessage, except?: Subscriber) {
    for (const subscriber of this.#subscribers.get(topic) ?? []) {
      if (subscriber !== except) subscriber.deliverBroadcast(message);
    }
  }

  presenceDiff(topic: string, diff: PresenceDiff) {
    for (const subscriber of this.#subscribers.get(topic) ?? []) {
      subscriber.deliverPresenceDiff(diff);
    }
  }
}
