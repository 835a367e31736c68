// The message of the `notifications` queue, as private.request_notification() and the notify
// Edge Function write it and the dispatcher reads it
// (supabase/migrations/20261125000800_notification_requests.sql).

import { z } from "./deps.ts";
import { Constants } from "./database.types.ts";

// The values of the database's enums (notifications.type, profiles.role).
export const notificationTypes = Constants.public.Enums.notification_type;

export const audienceRoles = Constants.public.Enums.profile_role;

/** Most users one request may name; larger audiences are a role with filters. */
export const MAX_USER_IDS = 10_000;

export const audienceFiltersSchema = z.object({
  /** Candidates having at least one of these skills. */
  skills: z.array(z.string().trim().min(1).max(100)).min(1).max(50).optional(),
  /** Candidates or companies whose location contains this (case and accents ignored). */
  location: z.string().trim().min(1).max(200).optional(),
}).strict();

export const audienceSchema = z.union([
  z.object({ userIds: z.array(z.uuid()).min(1).max(MAX_USER_IDS) }).strict(),
  z.object({ role: z.enum(audienceRoles), filters: audienceFiltersSchema.default({}) }).strict(),
]);

export const notificationContentSchema = z.object({
  type: z.enum(notificationTypes),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(2000).nullish(),
  data: z.record(z.string(), z.unknown()).default({}),
  dedupeKey: z.string().min(1).max(200).nullish(),
  collapseKey: z.string().min(1).max(64).nullish(),
});

export const notificationRequestSchema = notificationContentSchema.extend({
  requestId: z.uuid(),
  audience: audienceSchema,
});

export type NotificationRequest = z.infer<typeof notificationRequestSchema>;
