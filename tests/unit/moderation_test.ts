// The moderation rules on a labelled corpus of French and English posts (clean, profane, hateful,
// spam, bad links), with precision and recall printed, and the parts one by one: links, spam
// signals and the image analysis provider. No database needed.

import assert from "node:assert/strict";
import {
  moderatePost,
  type ModerationSettings,
  type PostForModeration,
} from "../../supabase/functions/_shared/moderation/mod.ts";
import { checkLink, urlsInText } from "../../supabase/functions/_shared/moderation/links.ts";
import { spamFindings, type SpamInput } from "../../supabase/functions/_shared/moderation/spam.ts";
import {
  httpImageAnalysis,
  imageAnalysisFromEnv,
} from "../../supabase/functions/_shared/moderation/images.ts";
import {
  DEFAULT_BLOCKED_DOMAINS,
  URL_SHORTENERS,
} from "../../supabase/functions/_shared/moderation/terms.ts";
import { envFrom } from "../../supabase/functions/_shared/platform.ts";

type Label = "clean" | "profane" | "hate" | "spam" | "bad_link";

interface CorpusPost {
  label: Label;
  lang: "fr" | "en";
  text: string;
  links?: string[];
  images?: string[];
  recentPostsByAuthor?: number;
  duplicateOf?: string;
}

const corpus: { posts: CorpusPost[] } = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/moderation_corpus.json", import.meta.url)),
);

const settings: ModerationSettings = {
  blockedDomains: new Set(DEFAULT_BLOCKED_DOMAINS),
  imageAnalysis: null,
};

function toPost(entry: CorpusPost): PostForModeration {
  return {
    content: entry.text,
    links: entry.links ?? [],
    images: entry.images ?? [],
    recentPostsByAuthor: entry.recentPostsByAuthor ?? 0,
    duplicateOf: entry.duplicateOf ?? null,
  };
}

Deno.test("the labelled corpus: precision and recall of flagging", async () => {
  let truePositives = 0, falsePositives = 0, falseNegatives = 0;
  const recallByLabel = new Map<Label, { caught: number; total: number }>();
  const mistakes: string[] = [];
  for (const entry of corpus.posts) {
    const result = await moderatePost(toPost(entry), settings);
    const flagged = result.verdict !== "approve";
    const shouldFlag = entry.label !== "clean";
    if (flagged && shouldFlag) truePositives++;
    if (flagged && !shouldFlag) falsePositives++;
    if (!flagged && shouldFlag) falseNegatives++;
    if (flagged !== shouldFlag) {
      mistakes.push(`  ${entry.label} (${entry.lang}) -> ${result.verdict}: ${entry.text}`);
    }
    const stats = recallByLabel.get(entry.label) ?? { caught: 0, total: 0 };
    stats.total++;
    if (flagged === shouldFlag) stats.caught++;
    recallByLabel.set(entry.label, stats);
  }
  const precision = truePositives / (truePositives + falsePositives);
  const recall = truePositives / (truePositives + falseNegatives);
  console.log(
    `moderation corpus: ${corpus.posts.length} posts, precision ${precision.toFixed(3)}, ` +
      `recall ${recall.toFixed(3)}`,
  );
  for (const [label, stats] of recallByLabel) {
    const what = label === "clean" ? "approved" : "flagged";
    console.log(`  ${label.padEnd(8)} ${stats.caught}/${stats.total} ${what}`);
  }
  if (mistakes.length > 0) console.log(`misclassified:\n${mistakes.join("\n")}`);
  assert.ok(precision >= 0.95, `precision ${precision} below 0.95`);
  assert.ok(recall >= 0.95, `recall ${recall} below 0.95`);
});

Deno.test("hate speech and dangerous links reject; profanity and spam flag", async () => {
  const verdictOf = async (post: Partial<PostForModeration>) =>
    (await moderatePost({ ...toPost({ label: "clean", lang: "fr", text: "" }), ...post }, settings))
      .verdict;
  assert.equal(await verdictOf({ content: "Encore un sale arabe" }), "reject");
  assert.equal(await verdictOf({ content: "Quel connard" }), "flag");
  assert.equal(await verdictOf({ content: "Voir", links: ["javascript:alert(1)"] }), "reject");
  assert.equal(await verdictOf({ content: "CLIQUEZ ICI bit.ly/x" }), "flag");
  assert.equal(await verdictOf({ content: "Bonjour à tous" }), "approve");
});

Deno.test("the reason lists what the author must know, rejections first", async () => {
  const result = await moderatePost({
    ...toPost({ label: "clean", lang: "fr", text: "" }),
    content: "Putain, regardez https://grabify.link/x",
  }, settings);
  assert.equal(result.verdict, "reject");
  assert.equal(
    result.reason,
    "Lien vers un domaine bloqué (grabify.link) ; Propos grossiers ou injurieux",
  );
  assert.deepEqual(result.findings.map((finding) => finding.rule), ["profanity", "blocked_domain"]);
});

Deno.test("links: domains are parsed with their public suffix", () => {
  const blocked = new Set(["evil.co.uk", "grabify.link"]);
  const check = (url: string) => checkLink(url, blocked, URL_SHORTENERS).problems;
  assert.deepEqual(check("https://www.evil.co.uk/page"), ["blocked_domain"]);
  assert.deepEqual(check("https://good.co.uk/page"), [], "co.uk itself is not the domain");
  assert.deepEqual(check("https://EVIL.co.uk./x"), ["blocked_domain"], "case and final dot");
  assert.deepEqual(check("https://a.b.bit.ly/x"), ["shortener"]);
  assert.deepEqual(check("bit.ly/x"), ["shortener"], "no scheme: read as https");
  assert.deepEqual(check("http://192.168.1.10/admin"), ["ip_address"]);
  assert.deepEqual(check("http://[::1]/"), ["ip_address"]);
  assert.deepEqual(check("https://user:pw@example.com/"), ["credentials"]);
  assert.deepEqual(check("https://xn--emplo-gva.fr/"), ["punycode"]);
  assert.deepEqual(check("http://localhost:3000/"), ["malformed"], "no public suffix");
  assert.deepEqual(check("https://"), ["malformed"]);
  assert.deepEqual(check("ftp://files.example.com/cv.pdf"), ["unsafe_scheme"]);
  assert.deepEqual(check("JavaScript:alert(1)"), ["unsafe_scheme"]);
});

Deno.test("links written in the text are found, trailing punctuation left out", () => {
  assert.deepEqual(
    urlsInText("Voir https://a.fr/x, www.b.com. Et bit.ly/c ! (https://d.org/e)"),
    ["https://a.fr/x", "www.b.com", "bit.ly/c", "https://d.org/e"],
  );
  assert.deepEqual(urlsInText("Rendez-vous à 10h. Merci."), []);
});

Deno.test("spam: one weak signal is not enough, signals add up", () => {
  const base: SpamInput = {
    text: "",
    linkCount: 0,
    shortenerCount: 0,
    ipAddressCount: 0,
    punycodeCount: 0,
    recentPostsByAuthor: 0,
    duplicateOf: null,
  };
  const points = (input: Partial<SpamInput>) =>
    spamFindings({ ...base, ...input }).reduce((sum, finding) => sum + finding.points, 0);
  assert.equal(points({ text: "Bravo !!!!!!" }), 1, "repeated characters");
  assert.equal(points({ text: "BIENVENUE À NOTRE NOUVELLE RECRUE" }), 2, "shouting");
  assert.equal(points({ text: "OK MERCI" }), 0, "short capitals are not shouting");
  assert.equal(points({ linkCount: 4 }), 2);
  assert.equal(points({ linkCount: 5 }), 3);
  assert.equal(points({ shortenerCount: 5 }), 4, "shorteners count twice at most");
  assert.equal(points({ duplicateOf: "x" }), 3);
  assert.equal(points({ recentPostsByAuthor: 3 }), 0, "four posts in ten minutes is fine");
  assert.equal(points({ recentPostsByAuthor: 4 }), 3, "the fifth is a burst");
  assert.equal(points({ text: "Gagnez de l'argent, cliquez ici" }), 4);
});

Deno.test("image analysis is off by default", () => {
  assert.equal(imageAnalysisFromEnv(envFrom({})), null);
});

Deno.test("an image provider's verdicts reject unsafe images", async () => {
  const requests: unknown[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    requests.push({ auth: request.headers.get("authorization"), body: await request.json() });
    return Response.json({
      results: [
        { url: "https://cdn.example.com/ok.jpg", unsafe: false, labels: [] },
        { url: "https://cdn.example.com/bad.jpg", unsafe: true, labels: ["nudity"] },
      ],
    });
  });
  try {
    const provider = httpImageAnalysis(`http://127.0.0.1:${server.addr.port}/analyze`, "key-1");
    const result = await moderatePost({
      content: "Photos du séminaire",
      links: [],
      images: ["https://cdn.example.com/ok.jpg", "https://cdn.example.com/bad.jpg"],
      recentPostsByAuthor: 0,
      duplicateOf: null,
    }, { ...settings, imageAnalysis: provider });
    assert.equal(result.verdict, "reject");
    assert.equal(result.reason, "Image inappropriée");
    assert.deepEqual(requests, [{
      auth: "Bearer key-1",
      body: { images: ["https://cdn.example.com/ok.jpg", "https://cdn.example.com/bad.jpg"] },
    }]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a failing image provider fails the moderation (the message is retried)", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("busy", { status: 503 }),
  );
  try {
    const provider = httpImageAnalysis(`http://127.0.0.1:${server.addr.port}/`, "key");
    await assert.rejects(
      moderatePost({
        content: "Photo",
        links: [],
        images: ["https://cdn.example.com/a.jpg"],
        recentPostsByAuthor: 0,
        duplicateOf: null,
      }, { ...settings, imageAnalysis: provider }),
      /image analysis answered 503/,
    );
  } finally {
    await server.shutdown();
  }
});
