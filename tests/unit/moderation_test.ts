// The moderation rules one by one: verdicts and reasons, links, spam signals and the image
// analysis provider (the labelled corpus is tests/unit/moderation_corpus_test.ts). No database
// needed.

import assert from "node:assert/strict";
import {
  type ContentForModeration,
  moderateContent,
  type ModerationSettings,
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

const settings: ModerationSettings = {
  blockedDomains: new Set(DEFAULT_BLOCKED_DOMAINS),
  imageAnalysis: null,
};

/** A post with the given text (and overrides), as the worker hands it to the engine. */
function post(content: Partial<ContentForModeration>): ContentForModeration {
  return {
    kind: "post",
    text: "",
    names: [],
    links: [],
    images: [],
    recentByAuthor: 0,
    duplicateOf: null,
    ...content,
  };
}

Deno.test("hate speech and dangerous links reject; profanity and spam flag", async () => {
  const verdictOf = async (content: Partial<ContentForModeration>) =>
    (await moderateContent(post(content), settings)).verdict;
  assert.equal(await verdictOf({ text: "Encore un sale arabe" }), "reject");
  assert.equal(await verdictOf({ text: "Quel connard" }), "flag");
  assert.equal(await verdictOf({ text: "Voir", links: ["javascript:alert(1)"] }), "reject");
  assert.equal(await verdictOf({ text: "CLIQUEZ ICI bit.ly/x" }), "flag");
  assert.equal(await verdictOf({ text: "Bonjour à tous" }), "approve");
});

Deno.test("the reason lists what the author must know, rejections first", async () => {
  const result = await moderateContent(
    post({ text: "Putain, regardez https://grabify.link/x" }),
    settings,
  );
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
    const result = await moderateContent(
      post({
        text: "Photos du séminaire",
        images: ["https://cdn.example.com/ok.jpg", "https://cdn.example.com/bad.jpg"],
      }),
      { ...settings, imageAnalysis: provider },
    );
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
      moderateContent(post({ text: "Photo", images: ["https://cdn.example.com/a.jpg"] }), {
        ...settings,
        imageAnalysis: provider,
      }),
      /image analysis answered 503/,
    );
  } finally {
    await server.shutdown();
  }
});
