// Offensive language in French and English. The `obscenity` package does the matching: it sees
// through leetspeak ("c0nn4rd"), look-alike characters and stretched letters ("fuuuck").
// English profanity is its maintained dataset; French profanity is the french-badwords-list package
// (minus its ambiguous entries, plus a few phrases); hate speech is our own list in both languages.

import {
  collapseDuplicatesTransformer,
  DataSet,
  englishDataset,
  englishRecommendedTransformers,
  frenchBadWords,
  parseRawPattern,
  RegExpMatcher,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  toAsciiLowerCaseTransformer,
} from "./deps.ts";
import { FRENCH_LIST_EXCLUSIONS, FRENCH_PROFANITY_ADDITIONS, HATE_TERMS } from "./terms.ts";

export interface OffensiveLanguage {
  /** Hate speech found (terms as listed). */
  hate: string[];
  /** Profanity found, English or French. */
  profanity: string[];
}

interface Term {
  term: string;
}

/** Lower case without accents: "Enculé" and "encule" are one word to the French lists. */
export function foldAccents(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/**
 * A whole-word pattern for a term, and for its plural: only for words of five letters or more, so
 * that short words do not catch ordinary ones ("con" must not match "pros and cons").
 */
function wordPatterns(term: string): string[] {
  const patterns = [`|${term}|`];
  if (term.length >= 5 && !/[sx]$/.test(term) && !term.includes(" ")) {
    patterns.push(`|${term}s|`);
  }
  return patterns;
}

function datasetOf(terms: Iterable<string>): DataSet<Term> {
  const dataset = new DataSet<Term>();
  for (const term of new Set(terms)) {
    dataset.addPhrase((phrase) => {
      phrase.setMetadata({ term });
      for (const pattern of wordPatterns(term)) phrase.addPattern(parseRawPattern(pattern));
      return phrase;
    });
  }
  return dataset;
}

/** Words of the French list: base spellings only (leetspeak is resolved by the matcher). */
function frenchListTerms(): string[] {
  const words: string[] = frenchBadWords.array;
  return words
    .filter((word) =>
      /^[\p{L}' -]+$/u.test(word) && !FRENCH_LIST_EXCLUSIONS.has(word.toLowerCase())
    )
    .map(foldAccents)
    .filter((word) => !FRENCH_LIST_EXCLUSIONS.has(word));
}

// Our lists are folded text: undo leetspeak and look-alikes, keep doubled letters ("connard").
const foldedTextTransformers = {
  blacklistMatcherTransformers: [
    resolveConfusablesTransformer(),
    resolveLeetSpeakTransformer(),
    toAsciiLowerCaseTransformer(),
    collapseDuplicatesTransformer({ defaultThreshold: 2 }),
  ],
};

const hateDataset = datasetOf(HATE_TERMS);
const frenchDataset = datasetOf([...frenchListTerms(), ...FRENCH_PROFANITY_ADDITIONS]);

let matchers:
  | { hate: RegExpMatcher; french: RegExpMatcher; english: RegExpMatcher }
  | undefined;

/** Built on first use: compiling the patterns takes a few milliseconds. */
function compiledMatchers() {
  matchers ??= {
    hate: new RegExpMatcher({ ...hateDataset.build(), ...foldedTextTransformers }),
    french: new RegExpMatcher({ ...frenchDataset.build(), ...foldedTextTransformers }),
    english: new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers }),
  };
  return matchers;
}

function termsFound(matcher: RegExpMatcher, dataset: DataSet<Term>, text: string): string[] {
  const found = matcher.getAllMatches(text, true)
    .map((match) => dataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.term)
    .filter((term): term is string => term !== undefined);
  return [...new Set(found)];
}

export function findOffensiveLanguage(text: string): OffensiveLanguage {
  const { hate, french, english } = compiledMatchers();
  const folded = foldAccents(text);
  const englishTerms: string[] = [];
  for (const match of english.getAllMatches(text, true)) {
    const term = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord;
    if (term !== undefined) englishTerms.push(term);
  }
  return {
    hate: termsFound(hate, hateDataset, folded),
    profanity: [...new Set([...termsFound(french, frenchDataset, folded), ...englishTerms])],
  };
}
