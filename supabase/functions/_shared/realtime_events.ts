// The Realtime contract of Emploi+: every private topic, the events it carries and their payloads,
// as the frontend receives them with supabase-js:
//
//   await supabase.realtime.setAuth(session.access_token);
//   supabase.channel(topics.user(userId), { config: { private: true } })
//     .on("broadcast", { event: "notification" }, ({ payload }) => show(payload as NotificationEvent))
//
// A frontend may import this module or copy it beside database.types.ts (its only import). Events
// the database sends are checked against these types by tests/contract_realtime_events_test.ts,
// which triggers each one and validates its payload; docs/reference/realtime.md is generated from
// this file.

import type { Enums, Json } from "./database.types.ts";

/** The private topics (always `config: { private: true }`); who may join is decided by RLS. */
export const topics = {
  /** The signed-in member's own topic: read-only, the database sends. */
  user: (userId: string) => `user:${userId}`,
  /** Everyone of a role: read-only, the notification dispatcher sends. */
  role: (role: AudienceRole) => `role:${role}`,
  /** A conversation's database events: its current participants read it, nobody writes. */
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  /** What a conversation's clients send themselves: typing broadcasts and presence. */
  conversationActivity: (conversationId: string) => `conversation:${conversationId}:activity`,
} as const;

export type AudienceRole = Enums<"profile_role">;

/** In-app notification types (notifications.type). */
export type NotificationType = Enums<"notification_type">;

/** What `data` holds for each notification type (camelCase keys, as the push payloads). */
export interface NotificationDataByType {
  /** Why the candidate hears of the offer: it matches their profile, or one of their saved searches. */
  job_alert: { jobId: string; reason: "profile_match" | "saved_search" };
  message: { conversationId: string; messageId: string; senderId: string };
  moderation: { kind: ModeratedKind; id: string; decision: ModerationDecision };
  application: { [key: string]: Json | undefined };
  marketing: { [key: string]: Json | undefined };
  system: { [key: string]: Json | undefined };
}

/** What a moderation notification is about (the kinds of report_content). */
export type ModeratedKind = Enums<"content_kind">;

/**
 * The decision a moderation notification tells the author: flag (hidden pending review), reject,
 * approve (visible again after review) or suspend (the account).
 */
export type ModerationDecision = Enums<"moderation_decision">;

/**
 * A row of the in-app inbox as broadcast when it is written (read_at is null then). A role's large
 * fan-out sends one `inbox` event on `role:<role>` instead (InboxEvent).
 */
export type NotificationEvent = {
  [Type in NotificationType]: {
    /** notifications.id; also the broadcast's id. */
    id: string;
    type: Type;
    title: string;
    body: string | null;
    data: NotificationDataByType[Type];
    created_at: string;
    read_at: null;
  };
}[NotificationType];

/**
 * Which message, whose and when: message events never carry a body. Read the message through
 * row-level security (`from("messages").select().eq("id", message_id)`, current participants
 * only), so a channel left open after its member left the conversation delivers no content.
 */
export interface MessageEvent {
  id: string;
  conversation_id: string;
  message_id: string;
  sender_id: string;
  created_at: string;
}

/**
 * A contact came online or went offline (a conversation partner; for a company, an applicant).
 * The first screen comes from `rpc("get_contacts_presence")`.
 */
export interface ContactPresenceEvent {
  id: string;
  user_id: string;
  online: boolean;
  at: string;
}

/** A notification to every member of a role, as it is requested (also in each inbox). */
export interface AnnouncementEvent {
  id: string;
  request_id: string;
  type: NotificationType;
  title: string;
  body: string | null;
  data: { [key: string]: Json | undefined };
}

/**
 * A notification to many members of a role (more than 1,000 in-app recipients) is in their
 * inboxes: sent once, on `role:<role>`, when every row is written, instead of one `notification`
 * per member on `user:<id>`. A filtered audience is not the whole role: read your row of it
 * through row-level security (`from("notifications").select().eq("request_id", request_id)`; none
 * when the request was not for you or your preferences kept it out of your inbox). Many members
 * receive it at once: a client spreads that read over a few seconds rather than all at the same
 * instant. The same fields as an announcement.
 */
export type InboxEvent = AnnouncementEvent;

/** A message edited, or soft-deleted (its body erased for everyone). */
export interface MessageChangeEvent extends MessageEvent {
  edited_at: string | null;
  deleted_at: string | null;
}

/** A participant's read position moved forward. */
export interface ReadReceiptEvent {
  id: string;
  conversation_id: string;
  user_id: string;
  last_read_message_id: string;
  last_read_at: string;
}

/** A participant left the conversation, or came back. */
export interface ParticipantEvent {
  id: string;
  conversation_id: string;
  user_id: string;
  at: string;
}

/** Sent by a participant's client (channel.send), never by the database: treat it as a hint. */
export interface TypingEvent {
  user_id: string;
}

/** Every broadcast event of each topic kind, by event name. */
export interface TopicEvents {
  user: {
    notification: NotificationEvent;
    message_received: MessageEvent;
    contact_presence: ContactPresenceEvent;
  };
  role: {
    announcement: AnnouncementEvent;
    inbox: InboxEvent;
  };
  conversation: {
    message_created: MessageEvent;
    message_edited: MessageChangeEvent;
    message_deleted: MessageChangeEvent;
    read_receipt: ReadReceiptEvent;
    participant_joined: ParticipantEvent;
    participant_left: ParticipantEvent;
  };
  conversationActivity: {
    typing: TypingEvent;
  };
}

export type TopicKind = keyof TopicEvents;
export type EventName<Kind extends TopicKind> = keyof TopicEvents[Kind] & string;
export type EventPayload<Kind extends TopicKind, Event extends EventName<Kind>> =
  TopicEvents[Kind][Event];
