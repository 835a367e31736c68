// post_moderation: the queue of every kind of member text (posts, comments, offers, company pages,
// profiles). Messages are {kind, id} ({postId} for posts, as the posts trigger sends them). Each
// item is judged by _shared/moderation and the verdict applied by private.apply_moderation, which
// also tells the author when an item is flagged or rejected. A verdict only lands on the version it
// judged; a redelivered message finds the item already moderated and changes nothing.

import { z } from "../../_shared/deps.ts";
import {
  contentKinds,
  moderateContent,
  moderationSettingsFromEnv,
} from "../../_shared/moderation/mod.ts";
import { SPAM_WINDOWS } from "../../_shared/moderation/spam.ts";
import {
  type BatchContext,
  type QueueMessage,
  type QueueProcessor,
  tracedBy,
} from "../../_shared/queue.ts";

/** The request that caused a message, when there is one (see tracedBy). */
const traced = { processingId: z.string().optional() };

/**
 * `{kind, id, reason?, processingId?}` as the content triggers write it, or `{postId, …}` as the
 * posts trigger and posts-moderate write it (read as kind "post").
 */
const moderationMessage = z.union([
  z.object({ kind: z.enum(contentKinds), id: z.uuid(), ...traced }),
  z.object({ postId: z.uuid(), ...traced }).transform(({ postId, processingId }) => ({
    kind: "post" as const,
    id: postId,
    processingId,
  })),
], { error: `must be {kind: ${contentKinds.join("|")}, id: uuid} or {postId: uuid}` });

type ModerationMessage = z.infer<typeof moderationMessage>;

interface Subject {
  id: string;
  body: string;
  names: string[];
  images: string[];
  links: string[];
  fingerprint: string;
  moderation_status: string;
  recent_by_author: number;
  duplicate_of: string | null;
}

async function moderateBatch(
  { sql, env }: BatchContext,
  messages: QueueMessage<ModerationMessage>[],
): Promise<Map<number, string>> {
  const failures = new Map<number, string>();
  const settings = moderationSettingsFromEnv(env);
  const messagesByKind = Map.groupBy(messages, (message) => message.message.kind);
  for (const [kind, ofKind] of messagesByKind) {
    const messagesById = Map.groupBy(ofKind, (message) => message.message.id);
    const subjects = await sql<Subject[]>`
      select * from private.moderation_subjects(
        ${kind}, ${[...messagesById.keys()]}::uuid[],
        ${SPAM_WINDOWS.burst}::interval, ${SPAM_WINDOWS.duplicate}::interval)`;
    // A deleted item has no row: its messages are done.
    for (const subject of subjects) {
      if (subject.moderation_status !== "pending") continue;
      const subjectMessages = messagesById.get(subject.id) ?? [];
      try {
        const result = await moderateContent({
          kind,
          text: subject.body,
          names: subject.names,
          images: subject.images,
          links: subject.links,
          recentByAuthor: subject.recent_by_author,
          duplicateOf: subject.duplicate_of,
        }, settings);
        const [{ outcome }] = await sql<{ outcome: string }[]>`
          select private.apply_moderation(
            ${kind}, ${subject.id}::uuid, ${subject.fingerprint}, ${result.verdict},
            ${result.reason}, ${sql.json(result.findings as never)}
          ) as outcome`;
        console.log(
          `post_moderation: ${kind} ${subject.id}${tracedBy(subjectMessages)}: ` +
            `${result.verdict} (${outcome})`,
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        for (const message of subjectMessages) failures.set(message.msg_id, reason);
      }
    }
  }
  return failures;
}

export const postModerationProcessor: QueueProcessor<ModerationMessage> = {
  queue: "post_moderation",
  batchSize: 20,
  visibilityTimeoutSeconds: 60,
  message: moderationMessage,
  process: moderateBatch,
};
