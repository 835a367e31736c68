// Pipeline benchmark, against a running platform (`npm start`):
//   - webhook accept latency, p50/p99: jobs-analyze, posts-moderate and activity-score over HTTP
//     (the old backend promised under 1 s; these answer once the work is queued or recorded);
//   - end to end: from the commit of a published offer to its matches stored (trigger → pgmq →
//     pg_net doorbell → queue-worker → private.rematch), and from the commit of a post to its
//     moderation applied.
//
//   deno run -A bench/pipeline/run.ts [--samples 100] [--offers 20] [--candidates 1000]
//
// Settings come from the environment as for the tests (SUPABASE_URL, SUPABASE_DB_URL,
// WEBHOOK_SECRET), else from .data/dev[-<offset>]/keys.json. Webhook samples stay under the rate
// limit (120 requests per minute per caller and function). What the run creates is deleted at the
// end. Prints a table and writes bench/results/pipeline.json.

import postgres from "postgres";
import { printTable, summarize, writeResults } from "../_support/stats.ts";

interface Options {
  samples: number;
  offers: number;
  candidates: number;
}

function parseOptions(args: string[]): Options {
  const options: Options = { samples: 100, offers: 20, candidates: 1000 };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], Number(args[index + 1])];
    if (flag === "--samples") options.samples = Math.min(value, 100);
    else if (flag === "--offers") options.offers = value;
    else if (flag === "--candidates") options.candidates = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

function platformSettings() {
  const url = Deno.env.get("SUPABASE_URL");
  if (url) {
    return {
      url,
      databaseUrl: Deno.env.get("SUPABASE_DB_URL")!,
      webhookSecret: Deno.env.get("WEBHOOK_SECRET")!,
    };
  }
  const offset = Number(Deno.env.get("LOCAL_PLATFORM_PORT_OFFSET") ?? "0");
  const stateDir = new URL(`../../.data/dev${offset ? `-${offset}` : ""}/`, import.meta.url);
  const keys = JSON.parse(Deno.readTextFileSync(new URL("keys.json", stateDir)));
  return {
    url: `http://127.0.0.1:${54321 + offset}`,
    databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${54322 + offset}/postgres`,
    webhookSecret: keys.webhookSecret as string,
  };
}

const options = parseOptions(Deno.args);
const platform = platformSettings();
const sql = postgres(platform.databaseUrl, { max: 2, onnotice: () => {} });
const run = crypto.randomUUID().slice(0, 8);
const skill = `BenchSkill${run}`;

async function createUsers(role: "candidate" | "company", count: number): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
      email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
      'authenticated', format('bench-%s-%s-%s@bench.emploi.test', ${role}::text, ${run}::text, n),
      '', now(), '{"provider": "email"}', jsonb_build_object('role', ${role}::text), now(), now()
    from generate_series(1, ${count}::int) as n
    returning id`;
  return rows.map((row) => row.id);
}

async function webhookLatency(
  name: string,
  body: () => unknown,
  samples = options.samples,
): Promise<number[]> {
  const durations: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const startedAt = performance.now();
    const response = await fetch(`${platform.url}/functions/v1/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": platform.webhookSecret },
      body: JSON.stringify(body()),
    });
    await response.body?.cancel();
    durations.push(performance.now() - startedAt);
    if (response.status !== 202) throw new Error(`${name} answered ${response.status}`);
  }
  return durations;
}

/** Milliseconds from `commit` returning until `done()` holds (polled every few milliseconds). */
async function untilDone(commit: () => Promise<unknown>, done: () => Promise<boolean>) {
  await commit();
  const startedAt = performance.now();
  for (;;) {
    if (await done()) return performance.now() - startedAt;
    if (performance.now() - startedAt > 30_000) throw new Error("not done after 30 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const [companyId] = await createUsers("company", 1);
const candidateIds = await createUsers("candidate", options.candidates);
// Skills set with triggers off: the candidates arrive already analysed, nothing is queued.
await sql.begin(async (transaction) => {
  await transaction`set local session_replication_role = replica`;
  await transaction`
    update public.candidates
    set skills = array[${skill}, 'SQL'], match_skills = private.canonical_skills(array[${skill}, 'SQL'])
    where id = any (${candidateIds}::uuid[])`;
});
const [author] = candidateIds;

try {
  // Warm up the functions (a cold start is a deployment matter, not the steady state).
  const [warmJob] = await sql<{ id: string }[]>`
    insert into public.jobs (company_id, title, status) values (${companyId}, 'Warm-up', 'draft')
    returning id`;
  const [warmPost] = await sql<{ id: string }[]>`
    insert into public.posts (author_id, content) values (${author}, 'Warm-up') returning id`;
  for (
    const [name, body] of [["jobs-analyze", { jobId: warmJob.id }], ["posts-moderate", {
      postId: warmPost.id,
    }], ["activity-score", { userId: author, action: "view" }]] as const
  ) {
    await webhookLatency(name, () => body, 3);
  }

  const latencies = {
    "jobs-analyze": await webhookLatency("jobs-analyze", () => ({ jobId: warmJob.id })),
    "posts-moderate": await webhookLatency("posts-moderate", () => ({ postId: warmPost.id })),
    "activity-score": await webhookLatency("activity-score", () => ({
      userId: author,
      action: "view",
      targetId: crypto.randomUUID(),
      targetType: "post",
    })),
  };

  const offerToMatches: number[] = [];
  for (let offer = 0; offer < options.offers; offer++) {
    let jobId = "";
    offerToMatches.push(
      await untilDone(
        async () => {
          [{ id: jobId }] = await sql<{ id: string }[]>`
            insert into public.jobs (company_id, title, required_skills, status)
            values (${companyId}, ${"Offre bench " + offer}, array[${skill}], 'published')
            returning id`;
        },
        async () => {
          const [job] = await sql`select analysis_completed from public.jobs where id = ${jobId}`;
          return job.analysis_completed;
        },
      ),
    );
  }
  const [{ stored }] = await sql`
    select count(*)::int as stored from public.job_matches as match
    join public.jobs as job on job.id = match.job_id
    where job.company_id = ${companyId} and job.title like 'Offre bench %'`;

  const postToModerated: number[] = [];
  for (let post = 0; post < options.offers; post++) {
    let postId = "";
    postToModerated.push(
      await untilDone(
        async () => {
          [{ id: postId }] = await sql<{ id: string }[]>`
            insert into public.posts (author_id, content)
            values (${candidateIds[post + 1]}, ${"Bonjour à tous, post " + post}) returning id`;
        },
        async () => {
          const [row] = await sql`select moderated_at from public.posts where id = ${postId}`;
          return row.moderated_at !== null;
        },
      ),
    );
  }

  const rows = [
    ...Object.entries(latencies).map(([name, samples]) => ({
      measure: `${name} webhook → 202`,
      samples: samples.length,
      "p50 (ms)": summarize(samples).p50,
      "p99 (ms)": summarize(samples).p99,
    })),
    {
      measure: `offer commit → ${options.candidates} matches stored`,
      samples: offerToMatches.length,
      "p50 (ms)": summarize(offerToMatches).p50,
      "p99 (ms)": summarize(offerToMatches).p99,
    },
    {
      measure: "post commit → moderation applied",
      samples: postToModerated.length,
      "p50 (ms)": summarize(postToModerated).p50,
      "p99 (ms)": summarize(postToModerated).p99,
    },
  ];
  console.log("\nPipeline latency\n");
  printTable(rows);
  if (stored !== options.offers * options.candidates) {
    console.log(
      `warning: ${stored} matches stored, ${options.offers * options.candidates} expected`,
    );
  }
  const path = await writeResults("pipeline", {
    webhookAccept: Object.fromEntries(
      Object.entries(latencies).map(([name, samples]) => [name, summarize(samples)]),
    ),
    offerCommitToMatchesStored: {
      candidatesMatchedPerOffer: options.candidates,
      ...summarize(offerToMatches),
    },
    postCommitToModerated: summarize(postToModerated),
  });
  console.log(`\nWritten to ${path}`);
} finally {
  await sql`delete from auth.users where email like ${`bench-%-${run}-%@bench.emploi.test`}`;
  await sql.end();
}
