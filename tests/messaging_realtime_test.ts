// Messaging over Realtime, end to end with real supabase-js clients: a company and a candidate
// who applied to its offer talk in `conversation:<id>`; messages, edits, deletions, read
// receipts, typing and presence reach the other side.

import assert from "node:assert/strict";
import { eventually, sql } from "./_support/platform.ts";
import {
  check,
  closeRealtime,
  joinPrivate,
  nextBroadcast,
  openConversation,
  sendMessage,
  subscribe,
  unwrap,
} from "./_support/messaging.ts";

const { company, candidate, conversationId } = await openConversation();
const topic = `conversation:${conversationId}`;

Deno.test("a message reaches the other participant over Realtime within 1 s", async () => {
  const listening = await subscribe(candidate, topic);
  try {
    const messageId = crypto.randomUUID();
    const arrived = nextBroadcast(
      listening,
      "message_created",
      (payload) => payload.message_id === messageId,
    );
    const sentAt = performance.now();
    unwrap(
      await sendMessage(
        company.client,
        conversationId,
        "Bonjour, êtes-vous disponible jeudi ?",
        messageId,
      ),
    );
    const event = await arrived;
    const elapsed = performance.now() - sentAt;
    assert.ok(elapsed < 1000, `delivered after ${elapsed.toFixed(0)} ms`);
    assert.equal(event.sender_id, company.id);
    assert.equal(event.body, undefined, "the event says which message, not what it says");
    const [message] = unwrap(
      await candidate.client.from("messages").select("body").eq("id", messageId),
    );
    assert.equal(message.body, "Bonjour, êtes-vous disponible jeudi ?", "the body is read by RLS");
  } finally {
    await closeRealtime(candidate.client);
  }
});

Deno.test("edits, soft deletes and read receipts are broadcast", async () => {
  const listening = await subscribe(company, topic);
  try {
    const sent = unwrap(
      await sendMessage(candidate.client, conversationId, "Oui, à 10 h"),
    ) as { id: string };

    const edited = nextBroadcast(
      listening,
      "message_edited",
      (payload) => payload.message_id === sent.id,
    );
    unwrap(
      await candidate.client.rpc("edit_message", { p_message_id: sent.id, p_body: "Oui, 11 h" }),
    );
    const editedEvent = await edited;
    assert.ok(editedEvent.edited_at);
    assert.equal(editedEvent.deleted_at, null);
    assert.equal(editedEvent.body, undefined, "no body in the event");

    const deleted = nextBroadcast(
      listening,
      "message_deleted",
      (payload) => payload.message_id === sent.id,
    );
    unwrap(await candidate.client.rpc("delete_message", { p_message_id: sent.id }));
    assert.ok((await deleted).deleted_at);

    // The body is gone for everyone: through REST, the RPC, and no stored broadcast held it.
    for (const reader of [company, candidate]) {
      const rows = unwrap(
        await reader.client.from("messages").select("body, deleted_at").eq("id", sent.id),
      );
      assert.deepEqual(rows.map((row) => row.body), [null]);
      const history = unwrap(
        await reader.client.rpc("get_messages", { p_conversation_id: conversationId }),
      ) as { id: string; body: string | null }[];
      assert.equal(history.find((message) => message.id === sent.id)?.body, null);
    }
    const stored = await sql`
      select count(*)::int as with_body from realtime.messages
      where topic = ${topic} and payload::text like ${"%Oui, %"}`;
    assert.equal(stored[0].with_body, 0);

    const receipt = nextBroadcast(
      listening,
      "read_receipt",
      (payload) => payload.user_id === candidate.id,
    );
    unwrap(await candidate.client.rpc("mark_as_read", { p_conversation_id: conversationId }));
    const receiptPayload = await receipt;
    assert.equal(receiptPayload.conversation_id, conversationId);
    assert.ok(receiptPayload.last_read_message_id);
  } finally {
    await closeRealtime(company.client);
  }
});

Deno.test("typing broadcasts and presence joins and leaves are seen", async () => {
  const presenceOf = (state: Record<string, unknown[]>) => Object.keys(state).sort();
  const joined: string[] = [];
  const left: string[] = [];
  const activity = `${topic}:activity`;
  const companySide = await subscribe(company, activity, (channel) => {
    channel.on("presence", { event: "join" }, ({ key }) => joined.push(key));
    channel.on("presence", { event: "leave" }, ({ key }) => left.push(key));
  }, company.id);
  try {
    const candidateSide = await subscribe(candidate, activity, undefined, candidate.id);

    const typing = nextBroadcast(companySide, "typing");
    assert.equal(
      await candidateSide.send({
        type: "broadcast",
        event: "typing",
        payload: { user_id: candidate.id, typing: true },
      }),
      "ok",
    );
    assert.deepEqual(await typing, { user_id: candidate.id, typing: true });

    assert.equal(await candidateSide.track({ online_at: new Date().toISOString() }), "ok");
    await waitFor(() => joined.includes(candidate.id), "the candidate's presence join");
    assert.ok(presenceOf(companySide.presenceState()).includes(candidate.id));

    await candidate.client.removeChannel(candidateSide);
    await waitFor(() => left.includes(candidate.id), "the candidate's presence leave");
    assert.ok(!presenceOf(companySide.presenceState()).includes(candidate.id));
  } finally {
    await closeRealtime(company.client, candidate.client);
  }
});

Deno.test(
  "a contact's online status arrives on user:<id>; `online` is retired",
  async () => {
    const inbox = await subscribe(company, `user:${company.id}`);
    try {
      check(await company.client.rpc("presence_heartbeat"));
      const cameOnline = nextBroadcast(
        inbox,
        "contact_presence",
        (payload) => payload.user_id === candidate.id && payload.online === true,
      );
      check(await candidate.client.rpc("presence_heartbeat"));
      await cameOnline;
      const contacts = unwrap(await company.client.rpc("get_contacts_presence")) as {
        user_id: string;
        online: boolean;
      }[];
      assert.deepEqual(contacts, [{ user_id: candidate.id, online: true }]);

      const wentOffline = nextBroadcast(
        inbox,
        "contact_presence",
        (payload) => payload.user_id === candidate.id && payload.online === false,
      );
      check(await candidate.client.rpc("presence_heartbeat", { p_online: false }));
      await wentOffline;

      const online = await joinPrivate(candidate, "online");
      assert.notEqual(online.status, "SUBSCRIBED", "the global online topic is retired");
    } finally {
      check(await company.client.rpc("presence_heartbeat", { p_online: false }));
      await closeRealtime(company.client, candidate.client);
    }
  },
);

Deno.test(
  "a connected participant is told on user:<id>, one who is not gets a push",
  async () => {
    const inbox = await subscribe(candidate, `user:${candidate.id}`);
    try {
      check(await candidate.client.rpc("presence_heartbeat"));
      const connectedMessageId = crypto.randomUUID();
      const told = nextBroadcast(
        inbox,
        "message_received",
        (payload) => payload.message_id === connectedMessageId,
      );
      unwrap(
        await sendMessage(
          company.client,
          conversationId,
          "Vous êtes en ligne ?",
          connectedMessageId,
        ),
      );
      const hint = await told;
      assert.equal(hint.conversation_id, conversationId);
      // The push request, had there been one, is written by the trigger that stored the message,
      // in its transaction: the committed message is enough to know there is none.
      const [stored] = await sql`select 1 from public.messages where id = ${connectedMessageId}`;
      assert.ok(stored, "the message is committed");
      assert.equal(await pushRequestsFor(connectedMessageId), 0, "no push while connected");

      check(await candidate.client.rpc("presence_heartbeat", { p_online: false }));
      const offlineMessageId = crypto.randomUUID();
      unwrap(
        await sendMessage(
          company.client,
          conversationId,
          "Je vous écris quand vous êtes parti",
          offlineMessageId,
        ),
      );
      // The dispatcher may already have taken it from the queue: then it is in the DLQ or in the
      // candidate's inbox. What the request holds is checked by the pgTAP tests.
      await eventually(
        async () => (await pushRequestsFor(offlineMessageId)) > 0 ? true : undefined,
        { what: "the push request" },
      );
    } finally {
      await closeRealtime(candidate.client);
    }
  },
);

/** Push requests for a message: queued, dead-lettered, or already in the recipient's inbox. */
async function pushRequestsFor(messageId: string): Promise<number> {
  const [row] = await sql`
    select
      (select count(*) from pgmq.q_notifications
        where message -> 'data' ->> 'messageId' = ${messageId})
      + (select count(*) from pgmq.q_notifications_dlq
        where message -> 'message' -> 'data' ->> 'messageId' = ${messageId}
          or message -> 'data' ->> 'messageId' = ${messageId})
      + (select count(*) from public.notifications where dedupe_key = ${`message:${messageId}`})
      as count`;
  return Number(row.count);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
