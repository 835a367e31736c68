// Relevance of search_jobs on a labelled set (tests/fixtures/search_relevance.json): the offers of
// one company, and queries written as people type them (inclusive forms, typos, prefixes,
// abbreviations, French and English, contract and remote words, filters). For each query, the
// first 10 results among the company's offers are compared with the offers that must appear there
// and those that must not. Prints precision@10 and recall@10 and enforces a floor for both.

import assert from "node:assert/strict";
import { anonClient, createUser, sql } from "./_support/platform.ts";

const options = { sanitizeResources: false, sanitizeOps: false };

/** Averages below these fail the test (measured: see docs/search.md). */
const PRECISION_FLOOR = 0.85;
const RECALL_FLOOR = 0.95;
/** Pages of 100 read at most to find a query's first 10 results among the company's offers. */
const MAX_PAGES = 5;

interface FixtureOffer {
  key: string;
  title: string;
  description: string;
  required_skills: string[];
  nice_to_have_skills: string[];
  experience_level: string;
  location: string;
  remote_policy: string;
  contract_type: string;
  salary_min: number | null;
  salary_max: number | null;
  days_ago: number;
}

interface LabelledQuery {
  query: string;
  args?: Record<string, unknown>;
  must: string[];
  mustNot: string[];
}

const fixture: { offers: FixtureOffer[]; queries: LabelledQuery[] } = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/search_relevance.json", import.meta.url)),
);

/** The first 10 results of a search among the company's offers, as offer keys. */
async function firstTen(
  query: LabelledQuery,
  companyId: string,
  keyOf: Map<string, string>,
): Promise<string[]> {
  const client = anonClient();
  const found: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && found.length < 10; page++) {
    const { data, error } = await client.rpc("search_jobs", {
      ...(query.query ? { p_query: query.query } : {}),
      ...query.args,
      p_limit: 100,
      ...(cursor ? { p_cursor: cursor } : {}),
    });
    assert.equal(error, null, `${query.query}: ${JSON.stringify(error)}`);
    const rows = data as { id: string; company_id: string; cursor: string }[];
    for (const row of rows) {
      if (row.company_id === companyId && found.length < 10) found.push(keyOf.get(row.id)!);
    }
    if (rows.length < 100) break;
    cursor = rows.at(-1)!.cursor;
  }
  return found;
}

Deno.test("search relevance on the labelled set: precision@10 and recall@10", options, async () => {
  assert.ok(fixture.queries.length >= 80, "at least 80 labelled queries");
  const company = await createUser("company", { company_name: "Banc d'essai Recherche" });
  const inserted = await sql<{ id: string; title: string }[]>`
    insert into public.jobs (
      company_id, title, description, required_skills, nice_to_have_skills, experience_level,
      location, remote_policy, contract_type, salary_min, salary_max, status, published_at
    )
    select ${company.id}, offer.title, offer.description, offer.required_skills,
      offer.nice_to_have_skills, offer.experience_level, offer.location, offer.remote_policy,
      offer.contract_type, offer.salary_min, offer.salary_max, 'published',
      now() - offer.days_ago * interval '1 day'
    from jsonb_to_recordset(${sql.json(fixture.offers as never)}) as offer (
      key text, title text, description text, required_skills text[],
      nice_to_have_skills text[], experience_level public.experience_level, location text,
      remote_policy public.remote_policy, contract_type public.contract_type, salary_min integer,
      salary_max integer, days_ago integer
    )
    returning id, title
  `;
  // Titles are unique in the fixture.
  const keyOfTitle = new Map(fixture.offers.map((offer) => [offer.title, offer.key]));
  const keyOf = new Map(inserted.map((row) => [row.id, keyOfTitle.get(row.title)!]));
  try {
    let precisionSum = 0;
    let recallSum = 0;
    const misses: string[] = [];
    for (const query of fixture.queries) {
      const top = await firstTen(query, company.id, keyOf);
      const relevant = top.filter((key) => query.must.includes(key)).length;
      const precision = top.length === 0 ? 0 : relevant / top.length;
      const recall = query.must.length === 0 ? 1 : relevant / query.must.length;
      precisionSum += precision;
      recallSum += recall;
      const missing = query.must.filter((key) => !top.includes(key));
      const intruders = top.filter((key) => query.mustNot.includes(key));
      if (missing.length || intruders.length) {
        misses.push(
          `  ${JSON.stringify(query.query)}${query.args ? " " + JSON.stringify(query.args) : ""}` +
            `${missing.length ? ` missing ${missing.join(" ")}` : ""}` +
            `${intruders.length ? ` must not ${intruders.join(" ")}` : ""}`,
        );
      }
    }
    const precision = precisionSum / fixture.queries.length;
    const recall = recallSum / fixture.queries.length;
    console.log(
      `search relevance: ${fixture.queries.length} queries, ${fixture.offers.length} offers, ` +
        `precision@10 ${precision.toFixed(3)}, recall@10 ${recall.toFixed(3)} ` +
        `(floors ${PRECISION_FLOOR}, ${RECALL_FLOOR})`,
    );
    if (misses.length) console.log(`queries short of their labels:\n${misses.join("\n")}`);
    assert.ok(precision >= PRECISION_FLOOR, `precision@10 ${precision} < ${PRECISION_FLOOR}`);
    assert.ok(recall >= RECALL_FLOOR, `recall@10 ${recall} < ${RECALL_FLOOR}`);
  } finally {
    await sql`delete from public.jobs where company_id = ${company.id}`;
  }
});
