// The post_moderation processor on a fake database: it takes {kind, id} messages for every kind of
// member text and {postId} ones for posts, reads each kind's items in one query, applies each
// verdict once per item, and a message of neither shape fails in the drain (dead-lettered after
// its last attempt) with the shapes it accepts. No platform needed.

import assert from "node:assert/strict";
import { processBatch } from "../../supabase/functions/_shared/queue.ts";
import { postModerationProcessor } from "../../supabase/functions/queue-worker/processors/post_moderation.ts";
import { fakePlatform, type RecordedQuery } from "../_support/fake_platform.ts";

const [post, comment] = [crypto.randomUUID(), crypto.randomUUID()];

/** What private.moderation_subjects answers for an item awaiting moderation. */
function subject(id: string, body: string) {
  return {
    id,
    body,
    names: [],
    images: [],
    links: [],
    fingerprint: `fingerprint-${id}`,
    moderation_status: "pending",
    recent_by_author: 0,
    duplicate_of: null,
  };
}

function answer(query: RecordedQuery): unknown[] | undefined {
  if (query.text.includes("pgmq.read")) {
    return [
      { msg_id: "1", read_ct: 1, enqueued_at: new Date(), message: { postId: post } },
      {
        msg_id: "2",
        read_ct: 1,
        enqueued_at: new Date(),
        message: { kind: "post", id: post, processingId: "p-2" },
      },
      {
        msg_id: "3",
        read_ct: 1,
        enqueued_at: new Date(),
        message: { kind: "comment", id: comment, reason: "insert" },
      },
      { msg_id: "4", read_ct: 3, enqueued_at: new Date(), message: { kind: "blog", id: post } },
    ];
  }
  if (query.text.includes("moderation_subjects")) {
    return query.values[0] === "post"
      ? [subject(post, "Bonjour à tous")]
      : [subject(comment, "Quel connard")];
  }
  if (query.text.includes("apply_moderation")) return [{ outcome: "applied" }];
}

Deno.test("every kind in one queue: one read per kind, one verdict per item", async () => {
  const { deps, queries } = fakePlatform({}, answer);
  const report = await processBatch(deps, postModerationProcessor);

  assert.deepEqual(report, { queue: "post_moderation", processed: 3, retried: 0, deadLettered: 1 });
  const reads = queries.filter((query) => query.text.includes("moderation_subjects"));
  assert.deepEqual(reads.map((query) => query.values.slice(0, 2)), [
    ["post", [post]],
    ["comment", [comment]],
  ]);
  const verdicts = queries.filter((query) => query.text.includes("apply_moderation"));
  assert.deepEqual(verdicts.map((query) => query.values.slice(0, 4)), [
    ["post", post, `fingerprint-${post}`, "approve"],
    ["comment", comment, `fingerprint-${comment}`, "flag"],
  ]);
});

Deno.test("a message of neither shape is dead-lettered with the shapes the queue accepts", async () => {
  const { deps, queries } = fakePlatform({}, answer);
  await processBatch(deps, postModerationProcessor);
  const deadLetter = queries.find((query) => query.text.includes("pgmq.send"));
  assert.equal(deadLetter?.values[0], "post_moderation_dlq");
  const { original_msg_id, error } = deadLetter?.values[1] as Record<string, unknown>;
  assert.deepEqual({ original_msg_id, error }, {
    original_msg_id: 4,
    error: "invalid post_moderation message: (message): must be " +
      "{kind: post|comment|job|company|profile, id: uuid} or {postId: uuid}",
  });
});
