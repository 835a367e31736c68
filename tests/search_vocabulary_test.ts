// The search vocabulary while offers are being published: a publication adds its new words and
// appends its counts (no lock on a word other offers share), pg_cron adds the counts every 5
// seconds, and the hourly recount corrects the rest. The recount must never wait for a publication
// or for a transaction holding vocabulary rows (the count application), and never deadlock with
// them: it used to lock the rows it corrected in no particular order, and a company publishing at 23
// past the hour could get "deadlock detected" (seen in bench/matching). Two connections, which one
// pgTAP session cannot show.

import assert from "node:assert/strict";
import { createUser, sql } from "./_support/platform.ts";

const sanitizers = { sanitizeResources: false, sanitizeOps: false };

/** Publishes an offer whose words are its title and skills, returns the words' vocabulary rows. */
async function wordsOfANewOffer(count: number) {
  const company = await createUser("company");
  const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
  const words = Array.from({ length: count }, (_, n) => `vocabword${n}x${tag}`);
  const publish = (transaction: typeof sql, skills: string[]) =>
    transaction`insert into public.jobs (company_id, title, required_skills, status)
      values (${company.id}, 'Offre', ${skills}, 'published')`;
  await publish(sql, words);
  const documents = async () => {
    const rows = await sql<{ word: string; documents: number }[]>`
      select word, documents from private.search_vocabulary where word = any (${words})`;
    const byWord = Object.fromEntries(rows.map((row) => [row.word, row.documents]));
    return words.map((word) => byWord[word]);
  };
  return { words, publish, documents };
}

/** Runs the recount on its own connection while `holder` keeps a transaction open. */
async function recountWhile(
  holder: (transaction: typeof sql) => Promise<unknown>,
): Promise<{ recountEndedFirst: boolean }> {
  let holderEnded = false;
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let holding!: () => void;
  const holds = new Promise<void>((resolve) => holding = resolve);
  const held = sql.begin(async (transaction) => {
    await holder(transaction);
    holding();
    await released;
  }).then(() => holderEnded = true);
  await holds;
  const recount = sql`select private.refresh_search_vocabulary()`.then(() => !holderEnded);
  // Release the holder once the recount has ended, or after 10 s if it waits (the old recount).
  const recountEndedFirst = await Promise.race([
    recount,
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
  ]);
  release();
  await Promise.all([recount, held]);
  return { recountEndedFirst };
}

Deno.test(
  "the recount does not wait for an offer being published, and the counts converge",
  sanitizers,
  async () => {
    const { words, publish, documents } = await wordsOfANewOffer(10);
    await sql`update private.search_vocabulary set documents = 99 where word = any (${words})`;

    const { recountEndedFirst } = await recountWhile((transaction) => publish(transaction, words));
    assert.equal(recountEndedFirst, true, "the recount ended while the publication was open");
    assert.deepEqual(await documents(), words.map(() => 1), "the committed offer, recounted");

    await sql`select private.apply_search_vocabulary_counts()`;
    assert.deepEqual(await documents(), words.map(() => 2), "the second offer's counts added");
  },
);

Deno.test(
  "the recount skips rows another transaction holds and corrects them the next time",
  sanitizers,
  async () => {
    const { words, documents } = await wordsOfANewOffer(10);
    await sql`update private.search_vocabulary set documents = 99 where word = any (${words})`;
    const [heldWord, ...others] = words;

    // As the count application does: the row of one word locked until its transaction ends.
    const { recountEndedFirst } = await recountWhile((transaction) =>
      transaction`select 1 from private.search_vocabulary where word = ${heldWord} for update`
    );
    assert.equal(recountEndedFirst, true, "the recount ended while the row was held");
    assert.deepEqual(await documents(), [99, ...others.map(() => 1)], "the held row skipped");

    await sql`select private.refresh_search_vocabulary()`;
    assert.deepEqual(await documents(), words.map(() => 1), "corrected by the next recount");
  },
);
