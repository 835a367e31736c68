// post_moderation: moderates new and edited posts with the rules of _shared/moderation and applies
// the verdict (private.apply_post_moderation), which also tells the author when a post is flagged
// or rejected. A verdict only lands on the version of the post it judged; a redelivered message
// finds the post already moderated and changes nothing.

import { z } from "../../_shared/deps.ts";
import { moderatePost, moderationSettingsFromEnv } from "../../_shared/moderation/mod.ts";
import { SPAM_WINDOWS } from "../../_shared/moderation/spam.ts";
import {
  type BatchContext,
  type QueueMessage,
  type QueueProcessor,
  tracedBy,
} from "../../_shared/queue.ts";

/** `{postId, reason?, processingId?}`, as the posts trigger and posts-moderate write it. */
const postModerationMessage = z.object({
  postId: z.uuid({ message: "must be a UUID" }),
  processingId: z.string().optional(),
});

type PostModerationMessage = z.infer<typeof postModerationMessage>;

interface PostToModerate {
  post_id: string;
  content: string;
  images: string[];
  links: string[];
  fingerprint: string;
  awaiting: boolean;
  recent_posts_by_author: number;
  duplicate_of: string | null;
}

async function moderateBatch(
  { sql, env }: BatchContext,
  messages: QueueMessage<PostModerationMessage>[],
): Promise<Map<number, string>> {
  const failures = new Map<number, string>();
  const messagesByPost = Map.groupBy(messages, (message) => message.message.postId);
  const settings = moderationSettingsFromEnv(env);
  const posts = await sql<PostToModerate[]>`
    select * from private.posts_to_moderate(
      ${[...messagesByPost.keys()]}::uuid[],
      ${SPAM_WINDOWS.burst}::interval,
      ${SPAM_WINDOWS.duplicate}::interval)`;
  // A deleted post has no row: its messages are done.
  for (const post of posts) {
    if (!post.awaiting) continue;
    try {
      const result = await moderatePost({
        content: post.content,
        images: post.images,
        links: post.links,
        recentPostsByAuthor: post.recent_posts_by_author,
        duplicateOf: post.duplicate_of,
      }, settings);
      const [{ outcome }] = await sql<{ outcome: string }[]>`
        select private.apply_post_moderation(
          ${post.post_id}::uuid, ${post.fingerprint}, ${result.verdict}, ${result.reason},
          ${sql.json({ findings: result.findings, spamPoints: result.spam.points } as never)}
        ) as outcome`;
      const traced = tracedBy(messagesByPost.get(post.post_id) ?? []);
      console.log(`post_moderation: post ${post.post_id}${traced}: ${result.verdict} (${outcome})`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const message of messagesByPost.get(post.post_id) ?? []) {
        failures.set(message.msg_id, reason);
      }
    }
  }
  return failures;
}

export const postModerationProcessor: QueueProcessor<PostModerationMessage> = {
  queue: "post_moderation",
  batchSize: 20,
  visibilityTimeoutSeconds: 60,
  message: postModerationMessage,
  process: moderateBatch,
};
