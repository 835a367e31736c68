// activity-score: the old backend's activity webhook. Unlike the other webhooks it does its work
// before it answers: it records the activity (one short transaction, private.record_activity,
// exact under concurrency) and answers 200 with the points, not 202. Its processingId names this
// request in the function's log line, so an answer can be matched to what was recorded.
//
// Body: {userId, action, targetId?, targetType?}; action is view, like, comment, share or apply.
// Likes, comments and applications made through the API are already tracked by the database: send
// them here only for events the database does not see, or they count twice.

import { z } from "../_shared/deps.ts";
import { fields } from "../_shared/body.ts";
import { defineWebhook } from "../_shared/endpoint.ts";
import { HttpError, jsonResponse } from "../_shared/http.ts";
import { Constants } from "../_shared/database.types.ts";

const activityScoreBody = z.object({
  userId: fields.uuid(),
  action: z.enum(Constants.public.Enums.activity_action),
  targetId: fields.uuid().optional(),
  targetType: z.enum(Constants.public.Enums.activity_target_type).optional(),
}).strict().refine((body) => (body.targetId === undefined) === (body.targetType === undefined), {
  message: "targetId and targetType go together: give both or neither.",
  path: ["targetType"],
});

interface Recorded {
  counted: boolean;
  points: string;
  engagement_score: string;
}

export const createActivityScoreHandler = defineWebhook(
  "activity-score",
  activityScoreBody,
  async ({ body, sql }) => {
    const [user] = await sql`select 1 from public.profiles where id = ${body.userId}::uuid`;
    if (!user) throw new HttpError(404, "user_not_found", `No user has the id ${body.userId}.`);
    const [recorded] = await sql<Recorded[]>`
      select * from private.record_activity(
        ${body.userId}::uuid, ${body.action}, ${body.targetId ?? null}::uuid,
        ${body.targetType ?? null})`;
    const processingId = crypto.randomUUID();
    console.log(
      `activity-score: ${body.action} of user ${body.userId} scored (processingId ${processingId}):` +
        ` counted ${recorded.counted}, ${recorded.points} points`,
    );
    return jsonResponse(200, {
      success: true,
      userId: body.userId,
      action: body.action,
      message: "Activity scored",
      processingId,
      counted: recorded.counted,
      points: Number(recorded.points),
      engagementScore: Number(recorded.engagement_score),
    });
  },
);
