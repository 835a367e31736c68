// Third-party packages of the Edge Functions, pinned in one place. Full `npm:` specifiers (no
// import map) so `supabase functions deploy` bundles exactly what runs locally.

export { z } from "npm:zod@4.1.12";
export { default as postgres } from "npm:postgres@3.4.7";
export { createRemoteJWKSet, type JWTPayload, jwtVerify } from "npm:jose@6.2.18";
// Post moderation: profanity matching (English dataset + our French one), the French word list,
// and a public-suffix-aware domain parser.
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
