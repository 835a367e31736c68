// post_moderation: moderates new and edited posts with the rules of _shared/moderation and applies
// the verdict (private.apply_post_moderation), which also tells the author when a post is flagged
// or rejected. A verdict only lands on the version of the post it judged; a redelivered message
// finds the post already moderated and changes nothing.

import type { Sql } from "../../_shared/db.ts";
import { z } from "../../_shared/deps.ts";
import { moderatePost, moderationSettingsFromEnv } from "../../_shared/moderation/mod.ts";
import { SPAM_WINDOWS } from "../../_shared/moderation/spam.ts";
import type { QueueMessage, QueueProcessor } from "../../_shared/queue.ts";

const messageSchema = z.object({ postId: z.uuid() });

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
  sql: Sql,
  messages: QueueMessage<unknown>[],
): Promise<Map<number, string>> {
  const failures = new Map<number, string>();
  const messagesByPost = new Map<string, number[]>();
  for (const message of messages) {
    const parsed = messageSchema.safeParse(message.message);
    if (!parsed.success) {
      failures.set(message.msg_id, "invalid post_moderation message: postId must be a UUID");
      continue;
    }
    const postId = parsed.data.postId;
    messagesByPost.set(postId, [...messagesByPost.get(postId) ?? [], message.msg_id]);
  }
  if (messagesByPost.size === 0) return failures;

  const settings = moderationSettingsFromEnv();
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
      console.log(`post_moderation: ${post.post_id} ${result.verdict} (${outcome})`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const messageId of messagesByPost.get(post.post_id) ?? []) {
        failures.set(messageId, reason);
      }
    }
  }
  return failures;
}

export const postModerationProcessor: QueueProcessor<unknown> = {
  queue: "post_moderation",
  batchSize: 20,
  visibilityTimeoutSeconds: 60,
  process: moderateBatch,
};
