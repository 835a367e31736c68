// Messaging access rules and bookkeeping, end to end with real supabase-js clients: an outsider
// can neither join, read nor write a conversation; retried sends store one message; unread counts
// follow reads; leaving and coming back.

import assert from "node:assert/strict";
import { platform, sql } from "./_support/platform.ts";
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

const { company, candidate, outsider, conversationId } = await openConversation();
const topic = `conversation:${conversationId}`;

const send = (client: typeof company.client, body: string, messageId?: string) =>
  sendMessage(client, conversationId, body, messageId);

Deno.test("the outsider is refused the conversation's channel", async () => {
  try {
    const refused = await joinPrivate(outsider, topic);
    assert.equal(refused.status, "CHANNEL_ERROR");
    assert.match(String(refused.error), /Unauthorized/);

    // Nor may they listen to someone else's user topic or another role's topic.
    assert.equal((await joinPrivate(outsider, `user:${candidate.id}`)).status, "CHANNEL_ERROR");
    assert.equal((await joinPrivate(outsider, "role:company")).status, "CHANNEL_ERROR");
    // Their own are fine.
    assert.equal((await joinPrivate(outsider, `user:${outsider.id}`)).status, "SUBSCRIBED");
    assert.equal((await joinPrivate(outsider, "role:candidate")).status, "SUBSCRIBED");
  } finally {
    await closeRealtime(outsider.client);
  }
});

Deno.test("the outsider cannot read the messages through REST or RPC", async () => {
  check(await send(company.client, "Confidentiel : notre offre salariale"));
  for (const table of ["messages", "conversations", "conversation_participants"]) {
    const column = table === "conversations" ? "id" : "conversation_id";
    const rows = unwrap(await outsider.client.from(table).select("*").eq(column, conversationId));
    assert.deepEqual(rows, [], `${table} is hidden`);
  }
  const history = await outsider.client.rpc("get_messages", { p_conversation_id: conversationId });
  assert.equal(history.error?.code, "42501");
  assert.equal(history.status, 403);
  const list = unwrap(await outsider.client.rpc("get_conversations"));
  assert.deepEqual(list, []);
  const read = await outsider.client.rpc("mark_as_read", { p_conversation_id: conversationId });
  assert.equal(read.error?.code, "42501");
  // The participants do read it.
  const companyView = unwrap(
    await company.client.from("messages").select("body").eq("conversation_id", conversationId),
  );
  assert.ok(companyView.some((row) => row.body === "Confidentiel : notre offre salariale"));
});

Deno.test("the outsider cannot send into the conversation", async () => {
  const listening = await subscribe(candidate, topic);
  try {
    const intruded: unknown[] = [];
    listening.on("broadcast", { event: "message_created" }, (message) => {
      if (message.payload.sender_id !== company.id) intruded.push(message.payload);
    });
    const sent = await send(outsider.client, "Bonjour, je m'invite");
    assert.equal(sent.error?.code, "42501");
    assert.equal(sent.status, 403);

    const inserted = await outsider.client.from("messages").insert({
      conversation_id: conversationId,
      sender_id: outsider.id,
      body: "Par la porte de derrière",
    });
    assert.ok(inserted.error, "a direct insert is refused");

    // A broadcast through Realtime's REST API is refused too.
    const response = await fetch(
      `${platform.url}/realtime/v1/api/broadcast/${
        encodeURIComponent(topic)
      }/events/message_created?private=true`,
      {
        method: "POST",
        headers: {
          apikey: platform.publishableKey,
          authorization: `Bearer ${outsider.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ conversation_id: conversationId, message_id: crypto.randomUUID() }),
      },
    );
    await response.body?.cancel();
    assert.equal(response.status, 403);
    // A participant's message sent after all that arrives: what the outsider tried would have
    // arrived before it.
    const legitimateId = crypto.randomUUID();
    const legitimate = nextBroadcast(
      listening,
      "message_created",
      (payload) => payload.message_id === legitimateId,
    );
    check(await send(company.client, "Bonjour, c'est bien nous", legitimateId));
    await legitimate;
    assert.deepEqual(intruded, [], "nothing from the outsider reached the candidate");

    const [{ count }] = await sql`
      select count(*)::int as count from public.messages
      where conversation_id = ${conversationId} and sender_id = ${outsider.id}`;
    assert.equal(count, 0);
  } finally {
    await closeRealtime(candidate.client);
  }
});

Deno.test("nobody is cold-messaged", async () => {
  const opened = await outsider.client.rpc("start_conversation", { p_user_id: company.id });
  assert.equal(opened.error?.code, "42501");
  const other = await outsider.client.rpc("start_conversation", { p_user_id: candidate.id });
  assert.equal(other.error?.code, "42501", "candidates do not write first to each other");
  assert.equal(unwrap(await outsider.client.rpc("can_message", { p_user_id: company.id })), false);
  assert.equal(unwrap(await candidate.client.rpc("can_message", { p_user_id: company.id })), true);
  // Asking again returns the same conversation, from either side.
  assert.equal(
    unwrap(await candidate.client.rpc("start_conversation", { p_user_id: company.id })),
    conversationId,
  );
});

Deno.test("a retried send_message stores one message", async () => {
  const messageId = crypto.randomUUID();
  const first = unwrap(await send(company.client, "Envoyé deux fois ?", messageId));
  const retry = unwrap(await send(company.client, "Envoyé deux fois ?", messageId));
  assert.deepEqual(retry, first);
  // Retries racing each other.
  const racingId = crypto.randomUUID();
  const results = await Promise.all(
    Array.from({ length: 5 }, () => send(company.client, "Réseau instable", racingId)),
  );
  for (const result of results) check(result);
  const [{ count }] = await sql`
    select count(*)::int as count from public.messages where id in (${messageId}, ${racingId})`;
  assert.equal(count, 2);
  // Someone else's id is not theirs to reuse.
  const stolen = await candidate.client.rpc("send_message", {
    p_conversation_id: conversationId,
    p_body: "Même id",
    p_message_id: messageId,
  });
  assert.equal(stolen.error?.code, "23505");
});

Deno.test("unread counts follow reads", async () => {
  const unreadOf = async (user: typeof candidate) => {
    const list = unwrap(await user.client.rpc("get_conversations")) as {
      conversation_id: string;
      unread_count: number;
      last_message: { body: string } | null;
    }[];
    return list.find((row) => row.conversation_id === conversationId);
  };
  check(await candidate.client.rpc("mark_as_read", { p_conversation_id: conversationId }));
  assert.equal((await unreadOf(candidate))?.unread_count, 0);

  const sent = [];
  for (const body of ["Un", "Deux", "Trois"]) {
    sent.push(unwrap(await send(company.client, body)) as { id: string });
  }
  const row = await unreadOf(candidate);
  assert.equal(row?.unread_count, 3);
  assert.equal(row?.last_message?.body, "Trois");
  assert.equal((await unreadOf(company))?.unread_count, 0, "one's own messages are read");

  const left = unwrap(
    await candidate.client.rpc("mark_as_read", {
      p_conversation_id: conversationId,
      p_message_id: sent[1].id,
    }),
  );
  assert.equal(left, 1);
  assert.equal((await unreadOf(candidate))?.unread_count, 1);
  // Reading an older message does not move the position back.
  assert.equal(
    unwrap(
      await candidate.client.rpc("mark_as_read", {
        p_conversation_id: conversationId,
        p_message_id: sent[0].id,
      }),
    ),
    1,
  );
  // A deleted unread message no longer counts.
  check(await company.client.rpc("delete_message", { p_message_id: sent[2].id }));
  assert.equal((await unreadOf(candidate))?.unread_count, 0);
});

Deno.test("history pages backwards by keyset", async () => {
  const pages: string[][] = [];
  let cursor: { p_cursor_created_at: string; p_cursor_id: string } | undefined;
  for (;;) {
    const page = unwrap(
      await candidate.client.rpc("get_messages", {
        p_conversation_id: conversationId,
        p_limit: 2,
        ...cursor,
      }),
    ) as { id: string; created_at: string }[];
    if (page.length === 0) break;
    pages.push(page.map((message) => message.id));
    const oldest = page[page.length - 1];
    cursor = { p_cursor_created_at: oldest.created_at, p_cursor_id: oldest.id };
  }
  const all = await sql`
    select id from public.messages where conversation_id = ${conversationId}
    order by created_at desc, id desc`;
  assert.deepEqual(pages.flat(), all.map((row) => row.id));
  assert.ok(pages.every((page) => page.length <= 2));
});

Deno.test("leaving a conversation, and coming back", async () => {
  const other = await openConversation();
  const id = other.conversationId;
  assert.equal(
    unwrap(await other.candidate.client.rpc("leave_conversation", { p_conversation_id: id })),
    true,
  );
  assert.deepEqual(
    unwrap(await other.candidate.client.from("messages").select("id").eq("conversation_id", id)),
    [],
  );
  const refused = await other.company.client.rpc("send_message", {
    p_conversation_id: id,
    p_body: "Vous êtes là ?",
  });
  assert.equal(refused.error?.code, "P0001", "nobody is left to read it");
  assert.equal(
    unwrap(await other.candidate.client.rpc("start_conversation", { p_user_id: other.company.id })),
    id,
  );
  check(
    await other.company.client.rpc("send_message", { p_conversation_id: id, p_body: "Re-bonjour" }),
  );
});
