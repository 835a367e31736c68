// Job search as the frontend uses it through supabase-js: search_jobs with the new filters and
// its keyset cursor, search_jobs_facets, clear 400s on bad values, and saved searches whose alerts
// travel the real pipeline (offer published -> matching worker -> notifications dispatcher ->
// in-app inbox), one alert per offer when the offer also matches the candidate's profile.

import assert from "node:assert/strict";
import { anonClient, createUser, eventually, moderated, sql } from "./_support/platform.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

/** A word no other offer holds, so that a search finds only this test's offers. */
const uniqueWord = () => `zq${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;

Deno.test("search_jobs and search_jobs_facets through REST", options, async () => {
  const company = await createUser("company", { company_name: "Recherche REST" });
  const word = uniqueWord();
  const offers = [
    { title: `Développeur·se ${word}`, contract_type: "cdi", remote_policy: "remote" },
    { title: `Développeuse ${word} senior`, contract_type: "cdd", remote_policy: "hybrid" },
    { title: `Cheffe de projet ${word}`, contract_type: "cdi", remote_policy: "onsite" },
  ];
  const { data: inserted, error } = await company.client.from("jobs").insert(
    offers.map((offer) => ({ ...offer, location: "Lyon", status: "published" })),
  ).select("id");
  assert.equal(error, null, JSON.stringify(error));
  // The board lists offers once moderation approved them.
  for (const { id } of inserted!) await moderated("jobs", id);
  const client = anonClient();

  const developers = await client.rpc("search_jobs", { p_query: `développeur ${word}` });
  assert.equal(developers.error, null);
  assert.deepEqual(
    developers.data.map((row: { title: string }) => row.title).sort(),
    [offers[0].title, offers[1].title].sort(),
    "the inclusive and the feminine titles both match développeur",
  );
  const contracts = await client.rpc("search_jobs", { p_query: word, p_contract_type: "cdi" });
  assert.deepEqual(contracts.data.map((row: { contract_type: string }) => row.contract_type), [
    "cdi",
    "cdi",
  ]);
  const inText = await client.rpc("search_jobs", { p_query: `${word} télétravail` });
  assert.deepEqual(
    inText.data.map((row: { remote_policy: string }) => row.remote_policy).sort(),
    ["hybrid", "remote"],
    "télétravail in the text keeps remote and hybrid offers",
  );

  // Pages through the cursor, by date: every offer once.
  const seen: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.rpc("search_jobs", {
      p_query: word,
      p_sort: "date",
      p_limit: 1,
      ...(cursor ? { p_cursor: cursor } : {}),
    });
    assert.equal(page.error, null);
    if (page.data.length === 0) break;
    seen.push(page.data[0].title);
    cursor = page.data[0].cursor;
  }
  assert.deepEqual(seen.sort(), offers.map((offer) => offer.title).sort(), "each offer once");

  const facets = await client.rpc("search_jobs_facets", { p_query: word });
  assert.equal(facets.error, null);
  assert.deepEqual(facets.data[0], {
    facet: "total",
    value: null,
    label: null,
    count: 3,
    exact: true,
  });
  assert.deepEqual(
    facets.data.filter((row: { facet: string }) => row.facet === "contract_type"),
    [
      { facet: "contract_type", value: "cdi", label: "CDI", count: 2, exact: true },
      { facet: "contract_type", value: "cdd", label: "CDD", count: 1, exact: true },
    ],
  );

  const refused = await client.rpc("search_jobs", { p_contract_type: "interim" });
  assert.equal(refused.status, 400);
  assert.equal(refused.error?.code, "22023");
  assert.match(refused.error!.message, /p_contract_type must be cdi, cdd, freelance, stage/);
  const forged = await client.rpc("search_jobs", { p_cursor: "nope" });
  assert.equal(forged.status, 400);
  assert.equal(forged.error?.code, "22023");
});

Deno.test(
  "a saved search alerts its owner of a new matching offer, once even when matching alerts too",
  options,
  async () => {
    const word = uniqueWord();
    const skill = `Skill${word}`;
    const [company, searcher, matched] = await Promise.all([
      createUser("company", { company_name: "Alertes Recherche" }),
      createUser("candidate"),
      createUser("candidate"),
    ]);
    // "matched" has the offer's skill (a profile match) and saves the same search.
    const profile = await matched.client.from("candidates")
      .update({ skills: [skill], location: "Nantes" }).eq("id", matched.id);
    assert.equal(profile.error, null, JSON.stringify(profile.error));
    for (const candidate of [searcher, matched]) {
      const saved = await candidate.client.from("saved_searches")
        .insert({ name: "Veille", query: word, contract_type: "cdi" });
      assert.equal(saved.error, null, JSON.stringify(saved.error));
    }
    const refused = await searcher.client.from("saved_searches")
      .insert({ name: "Mauvaise", remote_policy: "partout" });
    assert.equal(refused.status, 400);
    assert.equal(refused.error?.code, "22023");

    const { data: offers, error } = await company.client.from("jobs").insert([
      {
        title: `Développeur ${word}`,
        required_skills: [skill],
        location: "Nantes",
        contract_type: "cdi",
        status: "published",
      },
      {
        title: `Stagiaire ${word}`,
        location: "Nantes",
        contract_type: "stage",
        status: "published",
      },
    ]).select("id, title");
    assert.equal(error, null, JSON.stringify(error));
    const [wanted, internship] = offers!;
    // Alerts go out once an offer is approved: both are, before anything is counted.
    for (const { id } of offers!) await moderated("jobs", id);

    const alertsOf = async (candidate: typeof searcher) => {
      const { data } = await candidate.client.from("notifications")
        .select("type, data").eq("type", "job_alert");
      return (data ?? []).filter((row) =>
        [wanted.id, internship.id].includes((row.data as { jobId: string }).jobId)
      );
    };
    for (const candidate of [searcher, matched]) {
      await eventually(
        async () => (await alertsOf(candidate)).length > 0 ? true : undefined,
        { timeoutMs: 30_000, what: "the saved-search alert in the inbox" },
      );
    }
    // Let every queued request be dispatched before counting.
    await eventually(async () => {
      const [{ waiting }] = await sql<{ waiting: number }[]>`
        select count(*)::int as waiting from pgmq.q_notifications
        where message -> 'data' ->> 'jobId' in (${wanted.id}, ${internship.id})`;
      return waiting === 0 ? true : undefined;
    }, { timeoutMs: 30_000, what: "the notifications queue to drain" });
    for (const candidate of [searcher, matched]) {
      const alerts = await alertsOf(candidate);
      assert.deepEqual(
        alerts.map((alert) => (alert.data as { jobId: string }).jobId),
        [wanted.id],
        "one alert, for the CDI offer only",
      );
    }
  },
);
