// Matching end to end, as the frontend drives it: a company publishes an offer and candidates
// edit their profiles through supabase-js; the triggers queue the work, the doorbell wakes the
// worker, and the matches appear, ordered, with their explanations. Then matching runs from both
// sides at once on shared rows: no deadlock, and the result is what a serial run gives.
// (Hand-checked scores of every criterion: supabase/tests/database/210_matching.sql.)

import assert from "node:assert/strict";
import postgres from "postgres";
import {
  createUser,
  eventually,
  moderated,
  platform,
  sql,
  type TestUser,
} from "./_support/platform.ts";

/** A skill nobody else has, so that only this test's candidates share it. */
const uniqueSkill = () => `Skill${crypto.randomUUID().slice(0, 8)}`;

async function setProfile(candidate: TestUser, profile: Record<string, unknown>): Promise<void> {
  const { error } = await candidate.client.from("candidates").update(profile).eq(
    "id",
    candidate.id,
  );
  assert.equal(error, null, JSON.stringify(error));
}

Deno.test(
  "a published offer gets ordered, explained matches; profile edits add and remove them",
  async () => {
    const skill = uniqueSkill();
    const [company, ...candidates] = await Promise.all([
      createUser("company", { company_name: "Vignobles Numériques" }),
      createUser("candidate"),
      createUser("candidate"),
      createUser("candidate"),
      createUser("candidate"),
    ]);
    const [claire, hugo, ines, marc] = candidates;
    const names = new Map([[claire.id, "claire"], [hugo.id, "hugo"], [ines.id, "ines"], [
      marc.id,
      "marc",
    ]]);
    await Promise.all([
      setProfile(claire, {
        skills: [skill, "TypeScript", "Docker"],
        experience_level: "mid",
        location: "Bordeaux",
      }),
      setProfile(hugo, { skills: [skill], experience_level: "senior", location: "Toulouse" }),
      setProfile(ines, { skills: [skill, "typescript"], experience_level: "junior" }),
      setProfile(marc, { skills: ["TypeScript", "Docker"] }),
    ]);

    const { data: job, error } = await company.client.from("jobs").insert({
      company_id: company.id,
      title: "Développeur·se full-stack",
      required_skills: [skill, "TypeScript"],
      nice_to_have_skills: ["Docker"],
      experience_level: "mid",
      location: "Bordeaux",
      remote_policy: "hybrid",
      status: "published",
    }).select("id").single();
    assert.equal(error, null, JSON.stringify(error));
    // Matching (and the candidate's view of the company) starts once moderation approved both.
    await Promise.all([moderated("jobs", job!.id), moderated("companies", company.id)]);

    /**
     * Our candidates' matches for the offer, best first, as the company reads them, once they
     * equal `expected` (matching runs in the background) or after 20 s, whatever they are then.
     */
    async function ranking(expected: string[]): Promise<string[]> {
      let seen: string[] = [];
      await eventually(async () => {
        const { data } = await company.client.from("job_matches")
          .select("candidate_id, match_score")
          .eq("job_id", job!.id)
          .in("candidate_id", candidates.map((candidate) => candidate.id))
          .order("match_score", { ascending: false });
        seen = (data ?? []).map((match) => `${names.get(match.candidate_id)} ${match.match_score}`);
        return JSON.stringify(seen) === JSON.stringify(expected) ? seen : undefined;
      }, { timeoutMs: 20_000, what: "the expected ranking" }).catch(() => {});
      return seen;
    }

    // claire 50 + 15 + 20 + 15; ines 50 + 10 (one level below) + 7.5 (no city); marc holds one
    // required skill of two: 25 + 15 + 10 (no level) + 7.5; hugo 25 + 20 + 0 (other city).
    const firstRanking = ["claire 100", "ines 68", "marc 58", "hugo 45"];
    assert.deepEqual(await ranking(firstRanking), firstRanking);

    const { data: mine } = await claire.client.from("v_candidate_job_matches")
      .select("job_id, match_score, explanation, company_name").eq("job_id", job!.id).single();
    assert.equal(mine!.match_score, 100);
    assert.equal(mine!.company_name, "Vignobles Numériques");
    assert.deepEqual(mine!.explanation.required_skills.matched, [
      skill.toLowerCase(),
      "typescript",
    ]);
    assert.deepEqual(mine!.explanation.nice_to_have_skills.matched, ["docker"]);

    const [offer] = await sql`
    select analysis_completed, matched_candidates_count from public.jobs where id = ${job!.id}`;
    assert.equal(offer.analysis_completed, true);
    assert.ok(offer.matched_candidates_count >= 4, "other candidates may hold TypeScript too");

    // hugo drops the skill, marc learns it: hugo's match goes, marc's score rises.
    await Promise.all([
      setProfile(hugo, { skills: ["Java"] }),
      setProfile(marc, { skills: ["TypeScript", "Docker", skill] }),
    ]);
    const secondRanking = ["claire 100", "marc 83", "ines 68"];
    assert.deepEqual(await ranking(secondRanking), secondRanking);
  },
);

Deno.test(
  "matching from both sides at once: no deadlock, same result as one at a time",
  async () => {
    const skill = uniqueSkill();
    const companies = await Promise.all([createUser("company"), createUser("company")]);
    const candidates = await Promise.all(Array.from({ length: 8 }, () => createUser("candidate")));
    const candidateIds = candidates.map((candidate) => candidate.id);
    const levels = ["junior", "mid", "senior", "lead"];
    for (const [index, candidate] of candidates.entries()) {
      await sql`
      update public.candidates
      set skills = ${[skill, index % 2 ? "Go" : "Rust", index % 3 ? "SQL" : "Kafka"]},
          experience_level = ${levels[index % 4]}, location = ${index % 2 ? "Lyon" : "Lille"}
      where id = ${candidate.id}`;
    }
    const jobIds: string[] = [];
    for (const [index, level] of levels.entries()) {
      const [job] = await sql<{ id: string }[]>`
      insert into public.jobs (company_id, title, required_skills, nice_to_have_skills,
        experience_level, location, status)
      values (${companies[index % 2].id}, ${"Offre " + index}, ${[skill]},
        ${index % 2 ? ["Go", "SQL"] : ["Rust", "Kafka"]}, ${level}, 'Lyon', 'published')
      returning id`;
      jobIds.push(job.id);
    }

    // Many connections run every offer's and every candidate's matching, twice, in random order.
    const runs = [
      ...jobIds.map((id) => `select private.rematch(array['${id}']::uuid[], '{}')`),
      ...candidateIds.map((id) => `select private.rematch('{}', array['${id}']::uuid[])`),
      // Both sides in one run too, as the writer allows.
      `select private.rematch(array['${jobIds[0]}']::uuid[], array['${candidateIds[0]}']::uuid[])`,
    ];
    const shuffled = [...runs, ...runs].sort(() => Math.random() - 0.5);
    const pool = postgres(platform.databaseUrl, { max: 12, onnotice: () => {} });
    try {
      await Promise.all(shuffled.map((statement) => pool.unsafe(statement)));
    } finally {
      await pool.end();
    }

    const stored = await sql`
    select job_id, candidate_id, match_score from public.job_matches
    where job_id = any (${jobIds}::uuid[]) and candidate_id = any (${candidateIds}::uuid[])
    order by job_id, candidate_id`;
    const expected = await sql`
    select job_id, candidate_id, match_score from private.job_candidate_scores
    where job_id = any (${jobIds}::uuid[]) and candidate_id = any (${candidateIds}::uuid[])
      and match_score >= (private.match_settings()).min_score
    order by job_id, candidate_id`;
    assert.ok(expected.length > 0);
    assert.deepEqual([...stored], [...expected], "the stored matches are the computed ones");
    // An offer counts its matches when it is matched; every candidate existed before the runs.
    const counts = await sql`
    select bool_and(matched_candidates_count =
      (select count(*) from public.job_matches where job_id = job.id)) as exact
    from public.jobs as job where id = any (${jobIds}::uuid[])`;
    assert.equal(counts[0].exact, true, "every offer's matched count is exact");
  },
);

Deno.test(
  "the nightly rewrite of the matching profiles gives up on a table another transaction holds",
  async () => {
    const order = async (table: string) => {
      const [{ outcome }] = await sql`select private.order_match_profiles(${table}) as outcome`;
      return outcome.status;
    };
    // A reader of the offers' profiles (a match's explanation being read) that lasts longer than
    // the 2 s the job waits for a lock.
    const holder = await sql.reserve();
    try {
      await holder`begin`;
      await holder`lock table private.job_match_profiles in access share mode`;
      assert.equal(await order("job_match_profiles"), "skipped");
      assert.equal(await order("candidate_match_profiles"), "ordered", "the other table is free");
    } finally {
      await holder`rollback`;
      holder.release();
    }
    assert.equal(await order("job_match_profiles"), "ordered", "the next run orders it");
  },
);
