// Third-party packages of post moderation, pinned apart from _shared/deps.ts so that only the
// functions that moderate (the queue worker) load them: tldts alone is several megabytes.
// Profanity matching (English dataset + our French one), the French word list, and a
// public-suffix-aware domain parser.
export {
  collapseDuplicatesTransformer,
  DataSet,
  englishDataset,
  englishRecommendedTransformers,
  parseRawPattern,
  RegExpMatcher,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  toAsciiLowerCaseTransformer,
} from "npm:obscenity@0.4.6";
export { default as frenchBadWords } from "npm:french-badwords-list@1.0.7";
export { parse as parseDomain } from "npm:tldts@7.5.5";
