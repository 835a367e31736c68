// What the messaging tests share: a company and a candidate who applied to its offer (so they may
// talk, see docs/messaging.md), an outsider with no link to either, and helpers to listen on a
// private Realtime channel.

import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { createUser, moderated, type TestUser } from "./platform.ts";

export interface Conversation {
  company: TestUser;
  candidate: TestUser;
  outsider: TestUser;
  conversationId: string;
}

/** Throws when a supabase-js call failed. */
export function check(result: { error: unknown }): void {
  if (result.error) throw new Error(JSON.stringify(result.error));
}

/** The data of a supabase-js call, throwing when it failed or returned nothing. */
export function unwrap<T>(result: { data: T; error: unknown }): NonNullable<T> {
  check(result);
  if (result.data === null || result.data === undefined) throw new Error("no data returned");
  return result.data;
}

/**
 * A company with a published offer, a candidate who applied to it, an outsider, and the
 * conversation the company opened with the candidate.
 */
export async function openConversation(): Promise<Conversation> {
  const [company, candidate, outsider] = await Promise.all([
    createUser("company", { company_name: "Atelier Messagerie" }),
    createUser("candidate"),
    createUser("candidate"),
  ]);
  const job = unwrap(
    await company.client.from("jobs")
      .insert({ company_id: company.id, title: "Développeuse TypeScript", status: "published" })
      .select("id").single(),
  );
  await moderated("jobs", job.id);
  check(
    await candidate.client.from("job_applications").insert({
      job_id: job.id,
      candidate_id: candidate.id,
    }),
  );
  const conversationId = unwrap(
    await company.client.rpc("start_conversation", { p_user_id: candidate.id }),
  ) as string;
  return { company, candidate, outsider, conversationId };
}

export interface Subscription {
  channel: RealtimeChannel;
  /** How the join ended: SUBSCRIBED, CHANNEL_ERROR (refused) or TIMED_OUT. */
  status: string;
  error?: Error;
}

/**
 * Joins the private channel `topic` as `user` and waits for the outcome of the join.
 * `configure` binds listeners before the join (supabase-js requires it).
 */
export async function joinPrivate(
  user: TestUser,
  topic: string,
  configure: (channel: RealtimeChannel) => void = () => {},
  presenceKey?: string,
): Promise<Subscription> {
  // supabase-js may send the first join before its async token lookup resolves.
  await user.client.realtime.setAuth(user.accessToken);
  const channel = user.client.channel(topic, {
    config: { private: true, presence: presenceKey ? { key: presenceKey } : undefined },
  });
  configure(channel);
  return await new Promise<Subscription>((resolve) => {
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED" || status === "CHANNEL_ERROR" || status === "TIMED_OUT") {
        resolve({ channel, status, error });
      }
    });
  });
}

/** joinPrivate that must succeed: the channel, once subscribed (the test fails otherwise). */
export async function subscribe(
  user: TestUser,
  topic: string,
  configure?: (channel: RealtimeChannel) => void,
  presenceKey?: string,
): Promise<RealtimeChannel> {
  const joined = await joinPrivate(user, topic, configure, presenceKey);
  assert.equal(joined.status, "SUBSCRIBED", String(joined.error));
  return joined.channel;
}

/** send_message as the frontend calls it; the message id makes a retried send store one message. */
export function sendMessage(
  client: SupabaseClient,
  conversationId: string,
  body: string,
  messageId: string = crypto.randomUUID(),
) {
  return client.rpc("send_message", {
    p_conversation_id: conversationId,
    p_body: body,
    p_message_id: messageId,
  });
}

/** Resolves with the payload of the next broadcast `event` on `channel` that passes `accept`. */
export function nextBroadcast(
  channel: RealtimeChannel,
  event: string,
  accept: (payload: Record<string, unknown>) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${event}" broadcast within ${timeoutMs} ms`)),
      timeoutMs,
    );
    channel.on("broadcast", { event }, ({ payload }) => {
      if (accept(payload)) {
        clearTimeout(timer);
        resolve(payload);
      }
    });
  });
}

/** Closes every Realtime connection of the clients. */
export async function closeRealtime(...clients: SupabaseClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.removeAllChannels()));
  for (const client of clients) client.realtime.disconnect();
}
