// The database side of the Realtime contract (supabase/functions/_shared/realtime_events.ts):
// every event the database sends is triggered here as the product triggers it, received with
// supabase-js on its private topic, and its payload checked against the exported type — exactly
// its keys, and what each value is. The shapes below are typed `ShapeOf<the exported type>`, so a
// key added to or removed from a type (or a regenerated table row) fails `deno check` until the
// shape follows; a payload the database changes fails the run.

import assert from "node:assert/strict";
import type { RealtimeChannel } from "@supabase/supabase-js";
import {
  type AnnouncementEvent,
  type ContactPresenceEvent,
  type InboxEvent,
  type MessageChangeEvent,
  type MessageEvent,
  type NotificationDataByType,
  type NotificationEvent,
  type ParticipantEvent,
  type ReadReceiptEvent,
  topics,
  type TypingEvent,
} from "../supabase/functions/_shared/realtime_events.ts";
import {
  check,
  closeRealtime,
  joinPrivate,
  nextBroadcast,
  openConversation,
  unwrap,
} from "./_support/messaging.ts";
import { createUser, promoteToAdmin, sql } from "./_support/platform.ts";
import { createMembers, notify } from "./notifications/support.ts";
import { MEMBER_BROADCASTS_MAX } from "../supabase/functions/queue-worker/processors/notifications.ts";

const options = { sanitizeResources: false, sanitizeOps: false };
const PIPELINE_TIMEOUT_MS = 30_000;

type Check =
  | "uuid"
  | "text"
  | "timestamp"
  | "null"
  | { oneOf: readonly unknown[] }
  | { nullable: Check }
  | { [key: string]: Check };
/** A shape for exactly the keys of T (a missing or an extra key does not compile). */
type ShapeOf<T> = { [Key in keyof T]-?: Check };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What is wrong with `value` for `check`, one line per problem (empty: it fits). */
function problems(value: unknown, check: Check, path = "payload"): string[] {
  if (typeof check === "object" && "nullable" in check) {
    return value === null ? [] : problems(value, check.nullable as Check, path);
  }
  if (typeof check === "object" && "oneOf" in check) {
    return (check.oneOf as unknown[]).includes(value)
      ? []
      : [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(check.oneOf)}`];
  }
  const fits = {
    uuid: () => typeof value === "string" && UUID.test(value),
    text: () => typeof value === "string",
    timestamp: () => typeof value === "string" && !Number.isNaN(Date.parse(value)),
    null: () => value === null,
  };
  if (typeof check === "string") {
    return fits[check]() ? [] : [`${path}: ${JSON.stringify(value)} is not ${check}`];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [`${path}: ${JSON.stringify(value)} is not an object`];
  }
  const expected = Object.keys(check).sort();
  const actual = Object.keys(value).sort();
  const keyProblems = JSON.stringify(expected) === JSON.stringify(actual)
    ? []
    : [`${path}: keys ${actual.join(", ")}; the type has ${expected.join(", ")}`];
  return keyProblems.concat(
    ...expected.map((key) =>
      problems((value as Record<string, unknown>)[key], check[key], `${path}.${key}`)
    ),
  );
}

function assertShape(event: string, payload: unknown, shape: Check): void {
  const found = problems(payload, shape);
  assert.deepEqual(found, [], `${event}: ${JSON.stringify(payload)}`);
}

const messageEvent = {
  id: "uuid",
  conversation_id: "uuid",
  message_id: "uuid",
  sender_id: "uuid",
  created_at: "timestamp",
} satisfies ShapeOf<MessageEvent>;
const messageChange = (changed: "edited_at" | "deleted_at") =>
  ({
    ...messageEvent,
    edited_at: changed === "edited_at" ? "timestamp" : { nullable: "timestamp" },
    deleted_at: changed === "deleted_at" ? "timestamp" : "null",
  }) satisfies ShapeOf<MessageChangeEvent>;

const notification = <Type extends keyof NotificationDataByType>(
  type: Type,
  data: ShapeOf<NotificationDataByType[Type]>,
) =>
  ({
    id: "uuid",
    type: { oneOf: [type] },
    title: "text",
    body: { nullable: "text" },
    data,
    created_at: "timestamp",
    read_at: "null",
  }) satisfies ShapeOf<NotificationEvent>;

/** The next in-app notification of `type` on a user:<id> channel, which the pipeline sends. */
const nextNotification = (channel: RealtimeChannel, type: keyof NotificationDataByType) =>
  nextBroadcast(channel, "notification", (payload) => payload.type === type, PIPELINE_TIMEOUT_MS);

Deno.test(
  "every event of user:<id> and conversation:<id> has the exported shape",
  options,
  async () => {
    const { company, candidate, conversationId } = await openConversation();
    const companySends = async (p_body: string) =>
      unwrap(
        await company.client.rpc("send_message", { p_conversation_id: conversationId, p_body }),
      );
    const userTopic = await joinPrivate(candidate, topics.user(candidate.id));
    const conversationTopic = await joinPrivate(company, topics.conversation(conversationId));
    try {
      assert.equal(userTopic.status, "SUBSCRIBED");
      assert.equal(conversationTopic.status, "SUBSCRIBED");
      const user = userTopic.channel;
      const conversation = conversationTopic.channel;

      // A candidate who is not connected (no heartbeat) gets a message as a notification.
      const messageNotification = nextNotification(user, "message");
      const created = nextBroadcast(conversation, "message_created");
      const first = await companySends("Bonjour !");
      assertShape("message_created", await created, messageEvent);
      assertShape(
        "notification (message)",
        await messageNotification,
        notification("message", { conversationId: "uuid", messageId: "uuid", senderId: "uuid" }),
      );

      // Connected (heartbeat): message_received instead.
      check(await candidate.client.rpc("presence_heartbeat"));
      const received = nextBroadcast(user, "message_received");
      const second = await companySends("Vous êtes là ?");
      assertShape("message_received", await received, messageEvent);

      // The company coming online is told to the candidate, a connected contact.
      const cameOnline = nextBroadcast(user, "contact_presence");
      check(await company.client.rpc("presence_heartbeat"));
      assertShape(
        "contact_presence",
        await cameOnline,
        {
          id: "uuid",
          user_id: "uuid",
          online: { oneOf: [true, false] },
          at: "timestamp",
        } satisfies ShapeOf<ContactPresenceEvent>,
      );
      check(await company.client.rpc("presence_heartbeat", { p_online: false }));

      const edited = nextBroadcast(conversation, "message_edited");
      check(await company.client.rpc("edit_message", { p_message_id: second.id, p_body: "Là ?" }));
      assertShape("message_edited", await edited, messageChange("edited_at"));

      const deleted = nextBroadcast(conversation, "message_deleted");
      check(await company.client.rpc("delete_message", { p_message_id: first.id }));
      assertShape("message_deleted", await deleted, messageChange("deleted_at"));

      const receipt = nextBroadcast(conversation, "read_receipt");
      check(await candidate.client.rpc("mark_as_read", { p_conversation_id: conversationId }));
      assertShape(
        "read_receipt",
        await receipt,
        {
          id: "uuid",
          conversation_id: "uuid",
          user_id: "uuid",
          last_read_message_id: "uuid",
          last_read_at: "timestamp",
        } satisfies ShapeOf<ReadReceiptEvent>,
      );

      const participantShape = {
        id: "uuid",
        conversation_id: "uuid",
        user_id: "uuid",
        at: "timestamp",
      } satisfies ShapeOf<ParticipantEvent>;
      const left = nextBroadcast(conversation, "participant_left");
      check(
        await candidate.client.rpc("leave_conversation", { p_conversation_id: conversationId }),
      );
      assertShape("participant_left", await left, participantShape);
      const joined = nextBroadcast(conversation, "participant_joined");
      check(await candidate.client.rpc("start_conversation", { p_user_id: company.id }));
      assertShape("participant_joined", await joined, participantShape);

      // Typing is the clients' own broadcast, on the conversation's activity topic: the
      // product's clients send this shape.
      const companySide = await joinPrivate(company, topics.conversationActivity(conversationId));
      const candidateSide = await joinPrivate(
        candidate,
        topics.conversationActivity(conversationId),
      );
      const typing = nextBroadcast(companySide.channel, "typing");
      const typingEvent: TypingEvent = { user_id: candidate.id };
      await candidateSide.channel.send({
        type: "broadcast",
        event: "typing",
        payload: typingEvent,
      });
      assertShape("typing", await typing, { user_id: "uuid" } satisfies ShapeOf<TypingEvent>);
    } finally {
      await closeRealtime(company.client, candidate.client);
    }
  },
);

Deno.test(
  "a job alert and a moderation verdict reach user:<id> with the exported shape",
  options,
  async () => {
    const company = await createUser("company", { company_name: "Contrat Temps Réel" });
    const candidate = await createUser("candidate");
    const skill = `contractskill${crypto.randomUUID().slice(0, 8)}`;
    check(
      await candidate.client.from("candidates")
        .update({ skills: [skill], location: "Nantes" }).eq("id", candidate.id),
    );
    const { channel } = await joinPrivate(candidate, topics.user(candidate.id));
    try {
      const alert = nextNotification(channel, "job_alert");
      check(
        await company.client.from("jobs").insert({
          company_id: company.id,
          title: `Offre ${skill}`,
          required_skills: [skill],
          location: "Nantes",
          status: "published",
        }),
      );
      assertShape(
        "notification (job_alert)",
        await alert,
        notification("job_alert", { jobId: "uuid", reason: { oneOf: ["profile_match"] } }),
      );

      const verdict = nextNotification(channel, "moderation");
      check(
        await candidate.client.from("posts").insert({
          author_id: candidate.id,
          content: "Quel connard",
        }),
      );
      assertShape(
        "notification (moderation)",
        await verdict,
        notification("moderation", {
          kind: { oneOf: ["post"] },
          id: "uuid",
          decision: { oneOf: ["flag"] },
        }),
      );
    } finally {
      await closeRealtime(candidate.client);
    }
  },
);

const requestEvent = {
  id: "uuid",
  request_id: "uuid",
  type: { oneOf: ["system"] },
  title: "text",
  body: { nullable: "text" },
  data: {},
} satisfies ShapeOf<AnnouncementEvent> & ShapeOf<InboxEvent>;

Deno.test(
  "an announcement to a role reaches role:<role> with the exported shape",
  options,
  async () => {
    const admin = await createUser("candidate");
    await promoteToAdmin(admin);
    const { channel, status } = await joinPrivate(admin, topics.role("admin"));
    try {
      assert.equal(status, "SUBSCRIBED");
      const announcement = nextBroadcast(channel, "announcement", () => true, PIPELINE_TIMEOUT_MS);
      const answer = await notify({ role: "admin", type: "system", title: "Maintenance ce soir" });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      assertShape("announcement", await announcement, requestEvent);
    } finally {
      await closeRealtime(admin.client);
    }
  },
);

Deno.test(
  "a role's large fan-out tells role:<role> with the exported inbox shape",
  options,
  async () => {
    const town = `Contractville-${crypto.randomUUID().slice(0, 8)}`;
    const company = await createUser("company");
    await sql`update public.companies set location = ${town} where id = ${company.id}`;
    await createMembers(MEMBER_BROADCASTS_MAX, { role: "company", location: town });
    let processingId = "";
    const { channel, status } = await joinPrivate(company, topics.role("company"));
    try {
      assert.equal(status, "SUBSCRIBED");
      const inbox = nextBroadcast(
        channel,
        "inbox",
        (payload) => payload.request_id === processingId,
        PIPELINE_TIMEOUT_MS,
      );
      const answer = await notify({
        role: "company",
        filters: { location: town },
        type: "system",
        title: "Salon",
      });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      processingId = answer.body.processingId;
      assertShape("inbox", await inbox, requestEvent);
    } finally {
      await closeRealtime(company.client);
    }
  },
);

Deno.test("the notification types of realtime_events.ts are those the database allows", async () => {
  const rows = await sql<{ value: string }[]>`
    select unnest(enum_range(null::public.notification_type))::text as value`;
  const allowed = rows.map((row) => row.value).sort();
  // Exactly the keys of NotificationDataByType, or this does not compile.
  const exported = {
    job_alert: true,
    message: true,
    application: true,
    moderation: true,
    marketing: true,
    system: true,
  } satisfies Record<keyof NotificationDataByType, true>;
  assert.deepEqual(allowed, Object.keys(exported).sort());
});

Deno.test("the shape check refuses a missing or extra key and a wrong value", () => {
  const shape: Check = { id: "uuid", at: { nullable: "timestamp" } };
  assert.deepEqual(problems({ id: crypto.randomUUID(), at: null }, shape), []);
  const keyProblem = (found: string[]) => found.some((problem) => problem.includes("keys"));
  assert.ok(keyProblem(problems({ id: crypto.randomUUID() }, shape)));
  assert.ok(keyProblem(problems({ id: crypto.randomUUID(), at: null, extra: 1 }, shape)));
  assert.equal(problems({ id: "42", at: "not a date" }, shape).length, 2);
});
