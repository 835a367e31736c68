// activity-score: the old backend's activity webhook. Records the activity at once (one short
// transaction: private.record_activity, exact under concurrency) and answers 202 with the points.
//
// Body: {userId, action, targetId?, targetType?}; action is view, like, comment, share or apply.
// Likes, comments and applications made through the API are already tracked by the database: send
// them here only for events the database does not see, or they count twice.

import { z } from "../_shared/deps.ts";
import { fields } from "../_shared/body.ts";
import { accepted, createEndpoint } from "../_shared/endpoint.ts";
import { HttpError } from "../_shared/http.ts";

const activityScoreBody = z.object({
  userId: fields.uuid(),
  action: z.enum(["view", "like", "comment", "share", "apply"]),
  targetId: fields.uuid().optional(),
  targetType: z.enum(["post", "comment", "job", "profile", "company"]).optional(),
}).strict().refine((body) => (body.targetId === undefined) === (body.targetType === undefined), {
  message: "targetId and targetType go together: give both or neither.",
  path: ["targetType"],
});

interface Recorded {
  counted: boolean;
  points: string;
  engagement_score: string;
}

export const handleActivityScore = createEndpoint({
  name: "activity-score",
  method: "POST",
  callers: "webhook",
  body: activityScoreBody,
  async handle({ body, sql }) {
    const [user] = await sql`select 1 from public.profiles where id = ${body.userId}::uuid`;
    if (!user) throw new HttpError(404, "user_not_found", `No user has the id ${body.userId}.`);
    const [recorded] = await sql<Recorded[]>`
      select * from private.record_activity(
        ${body.userId}::uuid, ${body.action}, ${body.targetId ?? null}::uuid,
        ${body.targetType ?? null})`;
    return accepted({
      userId: body.userId,
      action: body.action,
      message: "Activity scored",
      processingId: crypto.randomUUID(),
      counted: recorded.counted,
      points: Number(recorded.points),
      engagementScore: Number(recorded.engagement_score),
    });
  },
});
