// Automatic moderation of everything members publish for others (posts, comments, job offers,
// company pages, profile names and headlines), one engine for all: offensive language (French and
// English), phishing and impersonation, link checks, spam heuristics and, when a provider is
// configured, image analysis. Pure apart from the image provider; the post_moderation worker feeds
// it and applies the verdict in the database.
//
// Verdicts: reject (hate speech, phishing lures, blocked or dangerous links, unsafe images) > flag
// (profanity, names that pass for the platform, credential-page links, malformed links, probable
// spam: hidden until an admin looks) > approve.

import type { Env } from "../platform.ts";
import { imageAnalysisFromEnv, type ImageAnalysisProvider } from "./images.ts";
import { findOffensiveLanguage } from "./language.ts";
import { checkLink, type LinkCheck, urlsInText } from "./links.ts";
import { findPhishing } from "./phishing.ts";
import { SPAM_FLAG_POINTS, type SpamFinding, spamFindings, type SpamSignal } from "./spam.ts";
import { DEFAULT_BLOCKED_DOMAINS, URL_SHORTENERS } from "./terms.ts";

export type Verdict = "approve" | "flag" | "reject";

/** The kinds of member text the engine judges (private.moderation_subjects). */
export const contentKinds = ["post", "comment", "job", "company", "profile"] as const;
export type ContentKind = typeof contentKinds[number];

export interface ContentForModeration {
  kind: ContentKind;
  /** The text others read (a job: title, description and skills; a profile: name and headline). */
  text: string;
  /** Names shown as the author's (company name, display name), checked for impersonation. */
  names: string[];
  images: string[];
  links: string[];
  /** Items of the same kind by the author in the burst window before this one. */
  recentByAuthor: number;
  /** An earlier item of the author with the same text, if any. */
  duplicateOf: string | null;
}

export interface ModerationSettings {
  blockedDomains: ReadonlySet<string>;
  imageAnalysis: ImageAnalysisProvider | null;
}

export interface Finding {
  rule:
    | "hate"
    | "phishing"
    | "impersonation"
    | "credential_link"
    | "profanity"
    | "unsafe_link"
    | "blocked_domain"
    | "malformed_link"
    | "unsafe_image"
    | "spam";
  /** What it costs the item on its own. */
  action: Verdict;
  /** Reason in French, as the author reads it. */
  message: string;
  evidence?: string[];
}

export interface ModerationResult {
  verdict: Verdict;
  /** Null when approved; otherwise what flag_reason and the author's notification say. */
  reason: string | null;
  findings: Finding[];
  spam: { points: number; signals: SpamFinding[] };
}

const SPAM_SIGNAL_NAMES: Record<SpamSignal, string> = {
  many_links: "trop de liens",
  shortener: "lien raccourci",
  ip_address: "lien vers une adresse IP",
  punycode: "domaine internationalisé",
  repeated_characters: "caractères répétés",
  shouting: "texte en majuscules",
  phrase: "formules de spam",
  duplicate: "message déjà publié",
  burst: "publications en rafale",
};

/** Settings from the environment: MODERATION_BLOCKED_DOMAINS adds to the default blocked list. */
export function moderationSettingsFromEnv(env: Env): ModerationSettings {
  const extra = (env.get("MODERATION_BLOCKED_DOMAINS") ?? "")
    .split(",")
    .map((domain) => domain.trim().toLowerCase())
    .filter(Boolean);
  return {
    blockedDomains: new Set([...DEFAULT_BLOCKED_DOMAINS, ...extra]),
    imageAnalysis: imageAnalysisFromEnv(env),
  };
}

function linkFindings(checks: LinkCheck[], kind: "lien" | "image"): Finding[] {
  const urlsWith = (accept: (problems: LinkCheck["problems"]) => boolean) =>
    checks.filter((check) => accept(check.problems)).map((check) => check.url);
  const blocked = checks.filter((check) => check.problems.includes("blocked_domain"));
  const domains = [...new Set(blocked.map((check) => check.domain ?? check.url))];
  const findings: (Finding & { evidence: string[] })[] = [
    {
      rule: "unsafe_link",
      action: "reject",
      message: kind === "lien" ? "Lien dangereux" : "Adresse d'image dangereuse",
      evidence: [
        ...urlsWith((problems) => problems.includes("unsafe_scheme")),
        ...urlsWith((problems) => problems.includes("credentials")),
      ],
    },
    {
      rule: "blocked_domain",
      action: "reject",
      message: `Lien vers un domaine bloqué (${domains.join(", ")})`,
      evidence: blocked.map((check) => check.url),
    },
    {
      rule: "malformed_link",
      action: "flag",
      message: kind === "lien" ? "Lien invalide" : "Adresse d'image invalide",
      evidence: urlsWith((problems) =>
        problems.includes("malformed") && !problems.includes("blocked_domain")
      ),
    },
  ];
  // A rule is a finding when some link breaks it.
  return findings.filter((finding) => finding.evidence.length > 0);
}

function reasonOf(findings: Finding[], verdict: Verdict): string | null {
  if (verdict === "approve") return null;
  const order: Verdict[] = ["reject", "flag"];
  const messages = order.flatMap((action) =>
    findings.filter((finding) => finding.action === action).map((finding) => finding.message)
  );
  return [...new Set(messages)].join(" ; ").slice(0, 500);
}

export async function moderateContent(
  item: ContentForModeration,
  settings: ModerationSettings,
): Promise<ModerationResult> {
  const findings: Finding[] = [];

  const language = findOffensiveLanguage(item.text);
  if (language.hate.length > 0) {
    findings.push({
      rule: "hate",
      action: "reject",
      message: "Propos haineux ou discriminatoires",
      evidence: language.hate,
    });
  }
  if (language.profanity.length > 0) {
    findings.push({
      rule: "profanity",
      action: "flag",
      message: "Propos grossiers ou injurieux",
      evidence: language.profanity,
    });
  }

  const links = [...new Set([...item.links, ...urlsInText(item.text)])];
  const phishing = findPhishing(item.text, links, item.names);
  if (phishing.lures.length > 0) {
    findings.push({
      rule: "phishing",
      action: "reject",
      message: "Tentative d'hameçonnage (faux message de compte ou de vérification)",
      evidence: phishing.lures,
    });
  }
  if (phishing.impersonatingNames.length > 0) {
    findings.push({
      rule: "impersonation",
      action: "flag",
      message: "Nom pouvant se faire passer pour Emploi+ ou son équipe",
      evidence: phishing.impersonatingNames,
    });
  }
  if (phishing.credentialLinks.length > 0) {
    findings.push({
      rule: "credential_link",
      action: "flag",
      message: "Lien vers une page de connexion ou de vérification",
      evidence: phishing.credentialLinks,
    });
  }

  const linkChecks = links.map((link) => checkLink(link, settings.blockedDomains, URL_SHORTENERS));
  const imageChecks = item.images.map((image) =>
    checkLink(image, settings.blockedDomains, URL_SHORTENERS)
  );
  findings.push(...linkFindings(linkChecks, "lien"), ...linkFindings(imageChecks, "image"));

  const count = (problem: LinkCheck["problems"][number]) =>
    linkChecks.filter((check) => check.problems.includes(problem)).length;
  const signals = spamFindings({
    text: item.text,
    linkCount: links.length,
    shortenerCount: count("shortener"),
    ipAddressCount: count("ip_address"),
    punycodeCount: count("punycode"),
    recentPostsByAuthor: item.recentByAuthor,
    duplicateOf: item.duplicateOf,
  });
  const spamPoints = signals.reduce((sum, signal) => sum + signal.points, 0);
  if (spamPoints >= SPAM_FLAG_POINTS) {
    findings.push({
      rule: "spam",
      action: "flag",
      message: `Spam probable (${
        signals.map((signal) => SPAM_SIGNAL_NAMES[signal.signal]).join(", ")
      })`,
      evidence: signals.map((signal) => signal.signal),
    });
  }

  const safeImages = item.images.filter((_, index) => imageChecks[index].problems.length === 0);
  if (settings.imageAnalysis && safeImages.length > 0) {
    const unsafe = (await settings.imageAnalysis.analyze(safeImages))
      .filter((verdict) => verdict.unsafe);
    if (unsafe.length > 0) {
      findings.push({
        rule: "unsafe_image",
        action: "reject",
        message: "Image inappropriée",
        evidence: unsafe.map((verdict) => `${verdict.url} (${verdict.labels.join(", ")})`),
      });
    }
  }

  const verdict: Verdict = findings.some((finding) => finding.action === "reject")
    ? "reject"
    : findings.length > 0
    ? "flag"
    : "approve";
  return {
    verdict,
    reason: reasonOf(findings, verdict),
    findings,
    spam: { points: spamPoints, signals },
  };
}
