// posts-moderate: the old backend's moderation webhook. Queues the post on post_moderation and
// answers at once (202 with a processingId); the worker judges it and applies the verdict.
//
// Body: {postId, content?, images?, links?, userId?}. The post row is what gets moderated (a
// verdict never lands on text other than the one judged); the optional fields are validated and
// accepted for compatibility, and userId, when given, must be the post's author. Posts are queued
// by the database when written, so this endpoint is only needed by callers of the old API; a post
// an admin already decided on keeps that decision.

import { z } from "../_shared/deps.ts";
import { fields } from "../_shared/body.ts";
import { accepted, defineWebhook } from "../_shared/endpoint.ts";
import { HttpError } from "../_shared/http.ts";

const postsModerateBody = z.object({
  postId: fields.uuid(),
  content: fields.text(5_000).optional(),
  images: z.array(fields.text(2_000)).max(10, { message: "at most 10 images" }).optional(),
  links: z.array(fields.text(2_000)).max(20, { message: "at most 20 links" }).optional(),
  userId: fields.uuid().optional(),
}).strict();

export const createPostsModerateHandler = defineWebhook(
  "posts-moderate",
  postsModerateBody,
  async ({ body, sql }) => {
    const [post] = await sql<{ author_id: string }[]>`
      select author_id from public.posts where id = ${body.postId}::uuid`;
    if (!post) throw new HttpError(404, "post_not_found", `No post has the id ${body.postId}.`);
    if (body.userId !== undefined && body.userId !== post.author_id) {
      throw new HttpError(400, "invalid_request", "userId is not the author of this post.", [
        { path: "userId", message: "must be the post's author" },
      ]);
    }
    const processingId = crypto.randomUUID();
    await sql`select private.enqueue('post_moderation', ${
      sql.json({ postId: body.postId, reason: "webhook", processingId })
    }::jsonb)`;
    console.log(`posts-moderate: post ${body.postId} queued (processingId ${processingId})`);
    return accepted({ postId: body.postId, message: "Post moderation queued", processingId });
  },
);
