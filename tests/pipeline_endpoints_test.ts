// The pipeline's Edge Functions over HTTP: jobs-analyze and posts-moderate answer 202 with a
// processingId at once and the work lands; activity-score scores first and answers 200 with the
// points; queue-health reports
// the queues to admins and the service role; every bad input gets a 4xx JSON error saying what is
// wrong, and writes nothing.

import assert from "node:assert/strict";
import { signJwt } from "../local/platform/jwt.ts";
import { callFunction, jsonOf } from "./_support/pipeline.ts";
import {
  createUser,
  eventually,
  platform,
  promoteToAdmin,
  sql,
  type TestUser,
} from "./_support/platform.ts";

const fixture = await (async () => {
  const [company, author] = await Promise.all([createUser("company"), createUser("candidate")]);
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (company_id, title, required_skills, status)
    values (${company.id}, 'Intégrateur·rice web', array['HTML', 'CSS'], 'draft') returning id`;
  const [post] = await sql<{ id: string }[]>`
    insert into public.posts (author_id, content) values (${author.id}, 'Bonjour le réseau')
    returning id`;
  return { company, author, jobId: job.id, postId: post.id };
})();

async function totalSent(queue: string): Promise<number> {
  const [metrics] = await sql<{ total_messages: string }[]>`
    select total_messages from pgmq.metrics(${queue})`;
  return Number(metrics.total_messages);
}

/** The 4xx JSON answer every bad request must get. */
async function expectError(response: Response, status: number, code: string) {
  const { status: actual, contentType, body } = await jsonOf(response);
  assert.equal(actual, status, JSON.stringify(body));
  assert.match(contentType, /^application\/json/);
  const error = body.error as { code: string; message: string };
  assert.equal(error.code, code);
  assert.ok(error.message.length > 0, "the error says what is wrong");
  return body;
}

async function activityCount(userId: string): Promise<number> {
  const [{ count }] =
    await sql`select count(*)::int from public.activity_logs where user_id = ${userId}`;
  return count;
}

/** A valid body of each webhook, and what it writes (which a bad request must leave unchanged). */
const webhooks = {
  "jobs-analyze": {
    valid: () => ({ jobId: fixture.jobId }),
    writes: () => totalSent("job_matching"),
  },
  "posts-moderate": {
    valid: () => ({ postId: fixture.postId }),
    writes: () => totalSent("post_moderation"),
  },
  "activity-score": {
    valid: () => ({ userId: fixture.author.id, action: "view" }),
    writes: () => activityCount(fixture.author.id),
  },
};

for (const [name, { valid, writes }] of Object.entries(webhooks)) {
  Deno.test(`${name}: bad requests get a 4xx JSON error and write nothing`, async () => {
    const writtenBefore = await writes();
    await expectError(
      await callFunction(name, { body: valid(), secret: null }),
      401,
      "missing_secret",
    );
    await expectError(
      await callFunction(name, { body: valid(), secret: "wrong" }),
      401,
      "invalid_secret",
    );
    await expectError(
      await callFunction(name, {
        body: valid(),
        secret: null,
        headers: { authorization: `Bearer ${platform.serviceRoleKey}` },
      }),
      401,
      "missing_secret",
    );
    await expectError(await callFunction(name, { rawBody: "{not json" }), 400, "invalid_json");
    await expectError(await callFunction(name, { rawBody: "" }), 400, "empty_body");
    await expectError(
      await callFunction(name, { body: valid(), headers: { "content-type": "text/plain" } }),
      415,
      "unsupported_media_type",
    );
    await expectError(await callFunction(name, { body: [] }), 400, "invalid_request");
    await expectError(await callFunction(name, { body: {} }), 400, "invalid_request");
    await expectError(
      await callFunction(name, { body: { ...valid(), unexpected: true } }),
      400,
      "invalid_request",
    );
    await expectError(
      await callFunction(name, {
        rawBody: JSON.stringify({ ...valid(), pad: "x".repeat(70_000) }),
      }),
      413,
      "payload_too_large",
    );
    await expectError(await callFunction(name, { method: "GET" }), 405, "method_not_allowed");
    assert.equal(await writes(), writtenBefore, "nothing was written");
  });
}

Deno.test("jobs-analyze: wrong types and unknown offers", async () => {
  const sentBefore = await totalSent("job_matching");
  const wrongTypes = await expectError(
    await callFunction("jobs-analyze", {
      body: { jobId: 42, requiredSkills: "React", experienceLevel: "guru" },
    }),
    400,
    "invalid_request",
  );
  assert.deepEqual(
    (wrongTypes.error as { details: { path: string }[] }).details.map((detail) => detail.path),
    ["jobId", "requiredSkills", "experienceLevel"],
    "every problem is named with its field",
  );
  await expectError(
    await callFunction("jobs-analyze", { body: { jobId: crypto.randomUUID() } }),
    404,
    "job_not_found",
  );
  assert.equal(await totalSent("job_matching"), sentBefore);
});

Deno.test(
  "jobs-analyze: 202 with a processingId, then the offer is analysed",
  async () => {
    await sql`update public.jobs set status = 'published' where id = ${fixture.jobId}`;
    // Publishing queued it already; wait for that analysis, then ask again through the webhook.
    await eventually(async () => {
      const [job] =
        await sql`select analysis_completed from public.jobs where id = ${fixture.jobId}`;
      return job.analysis_completed ? true : undefined;
    }, { timeoutMs: 20_000, what: "the offer analysed after publication" });
    await sql`update public.jobs set analysis_completed = false where id = ${fixture.jobId}`;

    const started = performance.now();
    const { status, body } = await jsonOf(
      await callFunction("jobs-analyze", {
        body: {
          jobId: fixture.jobId,
          title: "Intégrateur web",
          description: "HTML/CSS",
          requiredSkills: ["HTML"],
          experienceLevel: "junior",
          location: "Lille",
        },
      }),
    );
    const elapsed = performance.now() - started;
    assert.equal(status, 202);
    assert.equal(body.success, true);
    assert.equal(body.jobId, fixture.jobId);
    assert.equal(body.message, "Job analysis queued");
    assert.match(String(body.processingId), /^[0-9a-f-]{36}$/);
    assert.ok(elapsed < 1000, `answered in ${elapsed.toFixed(0)} ms`);
    await eventually(async () => {
      const [job] =
        await sql`select analysis_completed from public.jobs where id = ${fixture.jobId}`;
      return job.analysis_completed ? true : undefined;
    }, { timeoutMs: 20_000, what: "the offer analysed after the webhook" });
  },
);

Deno.test("posts-moderate: author mismatch and unknown posts", async () => {
  const sentBefore = await totalSent("post_moderation");
  await expectError(
    await callFunction("posts-moderate", {
      body: { postId: fixture.postId, userId: fixture.company.id },
    }),
    400,
    "invalid_request",
  );
  await expectError(
    await callFunction("posts-moderate", { body: { postId: crypto.randomUUID() } }),
    404,
    "post_not_found",
  );
  await expectError(
    await callFunction("posts-moderate", { body: { postId: fixture.postId, images: "a.png" } }),
    400,
    "invalid_request",
  );
  assert.equal(await totalSent("post_moderation"), sentBefore);
});

Deno.test(
  "posts-moderate: 202 with a processingId, and the post is moderated",
  async () => {
    const [post] = await sql<{ id: string }[]>`
    insert into public.posts (author_id, content)
    values (${fixture.author.id}, 'Quelle bande de connards dans ce jury') returning id`;
    const { status, body } = await jsonOf(
      await callFunction("posts-moderate", {
        body: { postId: post.id, content: "…", userId: fixture.author.id },
      }),
    );
    assert.equal(status, 202);
    assert.deepEqual(
      { ...body, processingId: typeof body.processingId },
      {
        success: true,
        postId: post.id,
        message: "Post moderation queued",
        processingId: "string",
      },
    );
    const moderated = await eventually(async () => {
      const [row] = await sql`
      select moderation_status, is_flagged, flag_reason from public.posts where id = ${post.id}`;
      return row.is_flagged ? row : undefined;
    }, { timeoutMs: 20_000, what: "the post flagged" });
    assert.deepEqual({ ...moderated }, {
      moderation_status: "flagged",
      is_flagged: true,
      flag_reason: "Propos grossiers ou injurieux",
    });
  },
);

Deno.test("activity-score: records the activity and answers with the points", async () => {
  const user = await createUser("candidate");
  const target = crypto.randomUUID();
  const score = (body: unknown) => callFunction("activity-score", { body }).then(jsonOf);

  const first = await score({
    userId: user.id,
    action: "share",
    targetId: target,
    targetType: "post",
  });
  assert.equal(first.status, 200, "scored before the answer: 200, not 202");
  assert.equal(first.body.message, "Activity scored");
  assert.equal(first.body.userId, user.id);
  assert.equal(first.body.action, "share");
  assert.equal(first.body.counted, true);
  assert.ok(first.body.points === 15 || first.body.points === 22.5, "15, or 22.5 at night");
  assert.match(String(first.body.processingId), /^[0-9a-f-]{36}$/);
  const again = await score({
    userId: user.id,
    action: "share",
    targetId: target,
    targetType: "post",
  });
  assert.equal(again.body.counted, false, "the same share the same day counts once");

  const [profile] = await sql`select engagement_score from public.profiles where id = ${user.id}`;
  assert.equal(Number(profile.engagement_score), first.body.points);

  await expectError(
    await callFunction("activity-score", { body: { userId: user.id, action: "poke" } }),
    400,
    "invalid_request",
  );
  await expectError(
    await callFunction("activity-score", {
      body: { userId: user.id, action: "view", targetId: target },
    }),
    400,
    "invalid_request",
  );
  await expectError(
    await callFunction("activity-score", { body: { userId: crypto.randomUUID(), action: "view" } }),
    404,
    "user_not_found",
  );
});

async function tokensFor(user: TestUser) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: user.id, role: "authenticated", aud: "authenticated" };
  return {
    forged: await signJwt(
      { ...claims, iat: now, exp: now + 600 },
      "not-the-secret-0123456789abcdef",
    ),
    expired: await signJwt({ ...claims, iat: now - 7200, exp: now - 3600 }, platform.jwtSecret),
  };
}

function health(token?: string, method = "GET") {
  return fetch(`${platform.url}/functions/v1/queue-health`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

Deno.test("queue-health: admins and the service role only", async () => {
  const [candidate, admin] = await Promise.all([createUser("candidate"), createUser("candidate")]);
  await promoteToAdmin(admin);
  const { forged, expired } = await tokensFor(candidate);

  for (const token of [undefined, forged, expired]) {
    const { status, body } = await jsonOf(await health(token));
    assert.equal(status, 401, JSON.stringify(body));
  }
  await expectError(await health(candidate.accessToken), 403, "forbidden");
  await expectError(await health(fixture.company.accessToken), 403, "forbidden");
  await expectError(await health(admin.accessToken, "POST"), 405, "method_not_allowed");

  for (const token of [admin.accessToken, platform.serviceRoleKey]) {
    const { status, body } = await jsonOf(await health(token));
    assert.equal(status, 200);
    assert.ok(["healthy", "degraded", "failing"].includes(String(body.status)));
    const queues = body.queues as Record<string, Record<string, number>>;
    assert.deepEqual(
      Object.keys(queues).sort(),
      ["candidate_matching", "job_matching", "notifications", "post_moderation"],
    );
    for (const counts of Object.values(queues)) {
      assert.deepEqual(
        Object.keys(counts).sort(),
        ["active", "completed", "failed", "oldest_visible_age_seconds", "waiting"],
      );
      for (const [name, count] of Object.entries(counts)) {
        if (name === "oldest_visible_age_seconds" && count === null) continue;
        assert.ok(Number.isInteger(count) && count >= 0, `${name}: ${count}`);
      }
    }
    assert.equal((body.sweep as { job: string }).job, "sweep-queues", "the sweep is reported");
    assert.ok(!Number.isNaN(Date.parse(String(body.timestamp))));
  }
});
