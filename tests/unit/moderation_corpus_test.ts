// The moderation engine on the labelled corpus of member texts (French and English): posts,
// comments, job offers, company pages and profiles, with phishing and impersonation. Prints
// precision and recall of "not approved" per kind and per label. No database needed.

import assert from "node:assert/strict";
import {
  type ContentForModeration,
  type ContentKind,
  moderateContent,
  type ModerationSettings,
} from "../../supabase/functions/_shared/moderation/mod.ts";
import { DEFAULT_BLOCKED_DOMAINS } from "../../supabase/functions/_shared/moderation/terms.ts";

interface CorpusEntry {
  kind?: ContentKind;
  label: string;
  lang: "fr" | "en";
  text: string;
  names?: string[];
  links?: string[];
  images?: string[];
  recentPostsByAuthor?: number;
  duplicateOf?: string;
}

const corpus: { posts: CorpusEntry[]; items: CorpusEntry[] } = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/moderation_corpus.json", import.meta.url)),
);
const entries = [
  ...corpus.posts.map((entry) => ({ ...entry, kind: "post" as const })),
  ...corpus.items,
];

const settings: ModerationSettings = {
  blockedDomains: new Set(DEFAULT_BLOCKED_DOMAINS),
  imageAnalysis: null,
};

function toContent(entry: CorpusEntry): ContentForModeration {
  return {
    kind: entry.kind ?? "post",
    text: entry.text,
    names: entry.names ?? [],
    links: entry.links ?? [],
    images: entry.images ?? [],
    recentByAuthor: entry.recentPostsByAuthor ?? 0,
    duplicateOf: entry.duplicateOf ?? null,
  };
}

interface Tally {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  total: number;
}

const ratio = (part: number, whole: number) => whole === 0 ? 1 : part / whole;

Deno.test("the labelled corpus: precision and recall per kind", async () => {
  const byKind = new Map<string, Tally>();
  const byLabel = new Map<string, { caught: number; total: number }>();
  const mistakes: string[] = [];
  for (const entry of entries) {
    const result = await moderateContent(toContent(entry), settings);
    const flagged = result.verdict !== "approve";
    const shouldFlag = entry.label !== "clean";
    for (const key of [entry.kind ?? "post", "all"]) {
      const tally = byKind.get(key) ??
        { truePositives: 0, falsePositives: 0, falseNegatives: 0, total: 0 };
      tally.total++;
      if (flagged && shouldFlag) tally.truePositives++;
      if (flagged && !shouldFlag) tally.falsePositives++;
      if (!flagged && shouldFlag) tally.falseNegatives++;
      byKind.set(key, tally);
    }
    const label = byLabel.get(entry.label) ?? { caught: 0, total: 0 };
    label.total++;
    if (flagged === shouldFlag) label.caught++;
    byLabel.set(entry.label, label);
    if (flagged !== shouldFlag) {
      mistakes.push(
        `  ${entry.kind} ${entry.label} (${entry.lang}) -> ${result.verdict}: ${entry.text}`,
      );
    }
  }
  console.log("kind     items  precision  recall");
  for (const [kind, tally] of byKind) {
    const precision = ratio(tally.truePositives, tally.truePositives + tally.falsePositives);
    const recall = ratio(tally.truePositives, tally.truePositives + tally.falseNegatives);
    console.log(
      `${kind.padEnd(8)} ${String(tally.total).padStart(5)}  ${precision.toFixed(3).padStart(9)}  ${
        recall.toFixed(3).padStart(6)
      }`,
    );
  }
  for (const [label, stats] of byLabel) {
    console.log(
      `  ${label.padEnd(13)} ${stats.caught}/${stats.total} ${
        label === "clean" ? "approved" : "caught"
      }`,
    );
  }
  if (mistakes.length > 0) console.log(`misclassified:\n${mistakes.join("\n")}`);
  for (const [kind, tally] of byKind) {
    const precision = ratio(tally.truePositives, tally.truePositives + tally.falsePositives);
    const recall = ratio(tally.truePositives, tally.truePositives + tally.falseNegatives);
    assert.ok(precision >= 0.9, `${kind}: precision ${precision} below 0.9`);
    assert.ok(recall >= 0.9, `${kind}: recall ${recall} below 0.9`);
  }
});

Deno.test("phishing lures reject; names that pass for the platform flag", async () => {
  const verdictOf = async (content: Partial<ContentForModeration>) =>
    (await moderateContent(
      { ...toContent({ label: "clean", lang: "fr", text: "" }), ...content },
      settings,
    ))
      .verdict;
  assert.equal(
    await verdictOf({
      kind: "job",
      text: "Votre compte Emploi+ est suspendu : vérifiez-le sur https://x.example/login",
    }),
    "reject",
  );
  assert.equal(
    await verdictOf({ kind: "profile", text: "Équipe Emploi+", names: ["Équipe Emploi+"] }),
    "flag",
  );
  assert.equal(
    await verdictOf({ kind: "company", text: "Support", links: ["https://acme.example/login"] }),
    "flag",
    "a link to a login page is doubtful on its own",
  );
  assert.equal(
    await verdictOf({ kind: "comment", text: "Bravo, bienvenue dans l'équipe !" }),
    "approve",
  );
});
