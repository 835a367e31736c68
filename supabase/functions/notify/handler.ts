// notify: an admin or the service role asks for a notification — to one user, to a list of
// users, or to everyone of a role (optionally only candidates with some skills, or members in
// a location). The request is queued on `notifications` in one transaction and answered at once
// with 202 {success, processingId}; the dispatcher delivers it (in-app, push, email, SMS) in the
// background. processingId is the request id that the delivery records carry.
//
// Body: {type?, title, body?, data?, dedupeKey?, collapseKey?} plus exactly one of
//   userId | userIds | role (+ filters: {skills?, location?}).

import { z } from "../_shared/deps.ts";
import { accepted, defineEndpoint } from "../_shared/endpoint.ts";
import { requireAdminOrService } from "../_shared/caller.ts";
import {
  audienceFiltersSchema,
  audienceRoles,
  MAX_USER_IDS,
  notificationContentSchema,
  type NotificationRequest,
} from "../_shared/notification_request.ts";

const notifyBody = notificationContentSchema.extend({
  type: notificationContentSchema.shape.type.default("system"),
  userId: z.uuid().optional(),
  userIds: z.array(z.uuid()).min(1).max(MAX_USER_IDS).optional(),
  role: z.enum(audienceRoles).optional(),
  filters: audienceFiltersSchema.optional(),
}).strict()
  .refine(
    (body) =>
      [body.userId, body.userIds, body.role].filter((given) => given !== undefined).length === 1,
    { message: "Give exactly one audience: userId, userIds or role.", path: ["audience"] },
  )
  .refine((body) => body.filters === undefined || body.role !== undefined, {
    message: "filters apply to a role audience only.",
    path: ["filters"],
  });

export const createNotifyHandler = defineEndpoint({
  name: "notify",
  method: "POST",
  callers: "user_or_service",
  body: notifyBody,
  maxBodyBytes: 512 * 1024,
  async handle({ body, caller, sql }) {
    requireAdminOrService(caller!);
    const { userId, userIds, role, filters, ...content } = body;
    const request: NotificationRequest = {
      ...content,
      requestId: crypto.randomUUID(),
      audience: role !== undefined
        ? { role, filters: filters ?? {} }
        : { userIds: [...new Set(userIds ?? [userId!])] },
    };
    await sql`select private.enqueue('notifications', ${sql.json(request as never)}::jsonb)`;
    return accepted({ processingId: request.requestId, message: "Notification queued" });
  },
});
