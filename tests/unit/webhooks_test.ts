// The webhooks (jobs-analyze, posts-moderate, activity-score) in this process, on a fake database:
// the error contract of SPEC §5 (4xx JSON naming what is wrong, nothing written), the secret, the
// rate limit, and the answers of SPEC §4. No platform needed.

import assert from "node:assert/strict";
import { createActivityScoreHandler } from "../../supabase/functions/activity-score/handler.ts";
import { createJobsAnalyzeHandler } from "../../supabase/functions/jobs-analyze/handler.ts";
import { createPostsModerateHandler } from "../../supabase/functions/posts-moderate/handler.ts";
import {
  type Answer,
  fakePlatform,
  jsonRequest,
  rateLimitAnswer,
  type RecordedQuery,
} from "../_support/fake_platform.ts";

const SECRET = "unit-test-webhook-secret";
const secretHeader = { "x-webhook-secret": SECRET, "x-forwarded-for": "198.18.0.7" };
const jobId = crypto.randomUUID();

function jobsAnalyze(answer?: Answer, settings: Record<string, string> = {}) {
  const platform = fakePlatform({ WEBHOOK_SECRET: SECRET, ...settings }, answer);
  return { ...platform, handle: createJobsAnalyzeHandler(platform.deps) };
}

async function jsonOf(response: Response) {
  return { status: response.status, body: await response.json() };
}

/** The queries that wrote something: the rate limiter's bucket aside, a refusal writes nothing. */
const writes = (queries: RecordedQuery[]) =>
  queries.filter((query) => !query.text.includes("take_rate_limit_token"));

Deno.test("bad bodies get a 4xx JSON error that names the problem, and write nothing", async () => {
  const cases: [string, Request, number, string][] = [
    ["not JSON", jsonRequest("jobs-analyze", "{", secretHeader), 400, "invalid_json"],
    ["empty", jsonRequest("jobs-analyze", "", secretHeader), 400, "empty_body"],
    ["wrong type", jsonRequest("jobs-analyze", { jobId: 7 }, secretHeader), 400, "invalid_request"],
    [
      "unknown field",
      jsonRequest("jobs-analyze", { jobId, jobid: jobId }, secretHeader),
      400,
      "invalid_request",
    ],
    [
      "oversize",
      jsonRequest("jobs-analyze", { jobId, description: "x".repeat(70_000) }, secretHeader),
      413,
      "payload_too_large",
    ],
    [
      "not declared as JSON",
      new Request("http://functions.local/jobs-analyze", {
        method: "POST",
        headers: { ...secretHeader, "content-type": "text/plain" },
        body: JSON.stringify({ jobId }),
      }),
      415,
      "unsupported_media_type",
    ],
    [
      "wrong method",
      new Request("http://functions.local/jobs-analyze", { headers: secretHeader }),
      405,
      "method_not_allowed",
    ],
  ];
  for (const [what, request, status, code] of cases) {
    const { handle, queries } = jobsAnalyze();
    const answer = await jsonOf(await handle(request));
    assert.equal(answer.status, status, what);
    assert.equal(answer.body.error.code, code, what);
    assert.equal(typeof answer.body.error.message, "string", what);
    assert.deepEqual(writes(queries), [], `${what}: nothing written`);
  }
  const { handle } = jobsAnalyze();
  const unknownField = await jsonOf(
    await handle(jsonRequest("jobs-analyze", { jobId, jobid: jobId }, secretHeader)),
  );
  assert.match(JSON.stringify(unknownField.body.error.details), /jobid/);
});

Deno.test("a missing or wrong secret is refused with 401 and spends the address's budget", async () => {
  for (
    const [headers, code] of [[{}, "missing_secret"], [
      { "x-webhook-secret": "guess" },
      "invalid_secret",
    ]] as const
  ) {
    const { handle, queries } = jobsAnalyze();
    const answer = await jsonOf(
      await handle(
        jsonRequest("jobs-analyze", { jobId }, { ...headers, "x-forwarded-for": "198.18.0.9" }),
      ),
    );
    assert.deepEqual([answer.status, answer.body.error.code], [401, code]);
    assert.deepEqual(queries.map((query) => query.values[0]), ["jobs-analyze:ip:198.18.0.9"]);
  }
});

Deno.test("without WEBHOOK_SECRET configured, webhooks answer 503, never 5xx by accident", async () => {
  const { handle } = jobsAnalyze(undefined, { WEBHOOK_SECRET: "" });
  const answer = await jsonOf(await handle(jsonRequest("jobs-analyze", { jobId }, secretHeader)));
  assert.deepEqual([answer.status, answer.body.error.code], [503, "not_configured"]);
});

Deno.test("a spent budget answers 429 with Retry-After, before the body is looked at", async () => {
  const { handle, queries } = jobsAnalyze((query) =>
    query.text.includes("take_rate_limit_token") ? rateLimitAnswer(17) : undefined
  );
  const response = await handle(jsonRequest("jobs-analyze", "{", secretHeader));
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("retry-after"), "17");
  assert.equal((await response.json()).error.code, "rate_limited");
  assert.deepEqual(queries.map((query) => query.values[0]), ["jobs-analyze:webhook"]);
});

Deno.test("jobs-analyze queues the offer with the processingId it answers with", async () => {
  const { handle, queries } = jobsAnalyze((query) =>
    query.text.includes("private.enqueue") ? [{ msg_id: "1" }] : undefined
  );
  const answer = await jsonOf(await handle(jsonRequest("jobs-analyze", { jobId }, secretHeader)));
  assert.equal(answer.status, 202);
  assert.deepEqual(
    { ...answer.body, processingId: typeof answer.body.processingId },
    { success: true, jobId, message: "Job analysis queued", processingId: "string" },
  );
  const [enqueued] = writes(queries);
  assert.match(enqueued.text, /private\.enqueue\('job_matching'/);
  assert.deepEqual(enqueued.values[0], {
    jobId,
    reason: "webhook",
    processingId: answer.body.processingId,
  });
});

Deno.test("jobs-analyze and posts-moderate answer 404 for what does not exist", async () => {
  const { handle } = jobsAnalyze();
  const job = await jsonOf(await handle(jsonRequest("jobs-analyze", { jobId }, secretHeader)));
  assert.deepEqual([job.status, job.body.error.code], [404, "job_not_found"]);

  const platform = fakePlatform({ WEBHOOK_SECRET: SECRET });
  const moderate = createPostsModerateHandler(platform.deps);
  const post = await jsonOf(
    await moderate(jsonRequest("posts-moderate", { postId: crypto.randomUUID() }, secretHeader)),
  );
  assert.deepEqual([post.status, post.body.error.code], [404, "post_not_found"]);
  assert.equal(writes(platform.queries).filter((query) => /enqueue/.test(query.text)).length, 0);
});

Deno.test("posts-moderate refuses a userId that is not the author's", async () => {
  const author = crypto.randomUUID();
  const platform = fakePlatform(
    { WEBHOOK_SECRET: SECRET },
    (query) => query.text.includes("from public.posts") ? [{ author_id: author }] : undefined,
  );
  const moderate = createPostsModerateHandler(platform.deps);
  const body = { postId: crypto.randomUUID(), userId: crypto.randomUUID() };
  const answer = await jsonOf(await moderate(jsonRequest("posts-moderate", body, secretHeader)));
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.body.error.details, [
    { path: "userId", message: "must be the post's author" },
  ]);
  assert.equal(platform.queries.some((query) => /enqueue/.test(query.text)), false);
});

Deno.test("activity-score answers 200 once the activity is scored, with SPEC §4's body", async () => {
  const userId = crypto.randomUUID();
  const platform = fakePlatform({ WEBHOOK_SECRET: SECRET }, (query) => {
    if (query.text.includes("from public.profiles")) return [{ "?column?": 1 }];
    if (query.text.includes("private.record_activity")) {
      return [{ counted: true, points: "7.5", engagement_score: "42.5" }];
    }
  });
  const score = createActivityScoreHandler(platform.deps);
  const answer = await jsonOf(
    await score(jsonRequest("activity-score", { userId, action: "like" }, secretHeader)),
  );
  assert.equal(answer.status, 200);
  assert.match(answer.body.processingId, /^[0-9a-f-]{36}$/);
  assert.deepEqual({ ...answer.body, processingId: undefined }, {
    success: true,
    userId,
    action: "like",
    message: "Activity scored",
    processingId: undefined,
    counted: true,
    points: 7.5,
    engagementScore: 42.5,
  });

  const refused = await jsonOf(
    await score(
      jsonRequest("activity-score", { userId, action: "like", targetId: userId }, secretHeader),
    ),
  );
  assert.equal(refused.status, 400);
  assert.match(JSON.stringify(refused.body.error.details), /targetType/);
});
