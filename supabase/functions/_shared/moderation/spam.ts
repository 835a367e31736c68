// Spam heuristics. Each signal adds points; a post reaching SPAM_FLAG_POINTS is flagged for an
// admin. One weak signal (a word in capitals, "!!!!!") is not enough; the same text posted again
// or a burst of posts is.

import { foldAccents } from "./language.ts";
import { SPAM_PHRASES } from "./terms.ts";

export const SPAM_FLAG_POINTS = 3;

/** Rules and their thresholds, in one place. */
export const SPAM_RULES = {
  /** More links than this in one post… */
  manyLinks: { above: 3, points: 2 },
  /** …or than this. */
  tooManyLinks: { above: 4, points: 3 },
  /** Per link shortener (at most twice). */
  shortener: { points: 2, maxCounted: 2 },
  /** Per link to a raw IP address (at most twice). */
  ipAddress: { points: 2, maxCounted: 2 },
  /** Internationalised (punycode) domain. */
  punycode: { points: 1 },
  /** The same character this many times in a row ("!!!!!", "soooooo"). */
  repeatedCharacters: { run: 5, points: 1 },
  /** At least `minLetters` letters, of which `ratio` or more in capitals. */
  shouting: { minLetters: 12, ratio: 0.7, points: 2 },
  /** Per scam phrase (at most twice). */
  phrase: { points: 2, maxCounted: 2 },
  /** The author posted the same text recently. */
  duplicate: { points: 3 },
  /** This many posts or more by the author within the burst window (this one included). */
  burst: { posts: 5, points: 3 },
} as const;

/** The burst and duplicate windows the database looks back over (private.moderation_subjects). */
export const SPAM_WINDOWS = { burst: "10 minutes", duplicate: "7 days" } as const;

export type SpamSignal =
  | "many_links"
  | "shortener"
  | "ip_address"
  | "punycode"
  | "repeated_characters"
  | "shouting"
  | "phrase"
  | "duplicate"
  | "burst";

export interface SpamFinding {
  signal: SpamSignal;
  points: number;
  evidence?: string[];
}

export interface SpamInput {
  text: string;
  linkCount: number;
  shortenerCount: number;
  ipAddressCount: number;
  punycodeCount: number;
  /** Posts of the author in the burst window before this one. */
  recentPostsByAuthor: number;
  /** An earlier post of the author with the same text. */
  duplicateOf: string | null;
}

function phrasesIn(text: string): string[] {
  const folded = ` ${foldAccents(text).replace(/[^\p{L}\p{N}'%$]+/gu, " ")} `;
  return SPAM_PHRASES.filter((phrase) => folded.includes(` ${phrase} `));
}

function isShouting(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length < SPAM_RULES.shouting.minLetters) return false;
  const capitals = letters.filter((letter) => letter !== letter.toLowerCase()).length;
  return capitals / letters.length >= SPAM_RULES.shouting.ratio;
}

export function spamFindings(input: SpamInput): SpamFinding[] {
  const findings: SpamFinding[] = [];
  const add = (signal: SpamSignal, points: number, evidence?: string[]) =>
    findings.push({ signal, points, ...(evidence ? { evidence } : {}) });

  if (input.linkCount > SPAM_RULES.tooManyLinks.above) {
    add("many_links", SPAM_RULES.tooManyLinks.points, [String(input.linkCount)]);
  } else if (input.linkCount > SPAM_RULES.manyLinks.above) {
    add("many_links", SPAM_RULES.manyLinks.points, [String(input.linkCount)]);
  }
  if (input.shortenerCount > 0) {
    add(
      "shortener",
      SPAM_RULES.shortener.points * Math.min(input.shortenerCount, SPAM_RULES.shortener.maxCounted),
    );
  }
  if (input.ipAddressCount > 0) {
    add(
      "ip_address",
      SPAM_RULES.ipAddress.points * Math.min(input.ipAddressCount, SPAM_RULES.ipAddress.maxCounted),
    );
  }
  if (input.punycodeCount > 0) add("punycode", SPAM_RULES.punycode.points);
  const run = new RegExp(`(\\S)\\1{${SPAM_RULES.repeatedCharacters.run - 1},}`, "u");
  const repeated = input.text.match(run);
  if (repeated) add("repeated_characters", SPAM_RULES.repeatedCharacters.points, [repeated[0]]);
  if (isShouting(input.text)) add("shouting", SPAM_RULES.shouting.points);
  const phrases = phrasesIn(input.text);
  if (phrases.length > 0) {
    add(
      "phrase",
      SPAM_RULES.phrase.points * Math.min(phrases.length, SPAM_RULES.phrase.maxCounted),
      phrases,
    );
  }
  if (input.duplicateOf) add("duplicate", SPAM_RULES.duplicate.points, [input.duplicateOf]);
  if (input.recentPostsByAuthor + 1 >= SPAM_RULES.burst.posts) {
    add("burst", SPAM_RULES.burst.points, [String(input.recentPostsByAuthor + 1)]);
  }
  return findings;
}
