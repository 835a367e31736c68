// Link checks: the links and images of a post and the URLs written in its text. Domains are read
// with a public-suffix parser (tldts), so "evil.bit.ly", "bit.ly" and "BIT.LY." are one domain and
// "blocked.co.uk" is not mistaken for "co.uk".

import { parseDomain } from "./deps.ts";

export type LinkProblem =
  /** Not http(s): javascript:, data:, file:… */
  | "unsafe_scheme"
  /** Not a URL, or a host that is not a public domain name (no known suffix). */
  | "malformed"
  /** A raw IP address instead of a domain name. */
  | "ip_address"
  /** user:password@host, a phishing trick. */
  | "credentials"
  /** On the blocked list. */
  | "blocked_domain"
  /** A link shortener: the destination is hidden. */
  | "shortener"
  /** Internationalised (punycode) domain, the vehicle of look-alike domains. */
  | "punycode";

export interface LinkCheck {
  url: string;
  /** Registrable domain, when the URL has one. */
  domain: string | null;
  problems: LinkProblem[];
}

// Written URLs: with a scheme, starting with www., or a bare domain followed by a path
// ("bit.ly/abc"). Trailing punctuation belongs to the sentence.
const WRITTEN_URL =
  /\b(?:[a-z][a-z0-9+.-]*:\/\/[^\s<>"]+|www\.[^\s<>"]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\/[^\s<>"]*)/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]'"»]+$/;

/** The URLs written in a text, in order, without duplicates. */
export function urlsInText(text: string): string[] {
  const found = (text.match(WRITTEN_URL) ?? []).map((url) => url.replace(TRAILING_PUNCTUATION, ""));
  return [...new Set(found)];
}

/**
 * Checks one link. Links without a scheme ("www.x.fr", "bit.ly/x") are read as https.
 * `blockedDomains` and `shorteners` hold registrable domains.
 */
export function checkLink(
  raw: string,
  blockedDomains: ReadonlySet<string>,
  shorteners: ReadonlySet<string>,
): LinkCheck {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { url: text, domain: null, problems: ["malformed"] };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { url: text, domain: null, problems: ["unsafe_scheme"] };
  }

  const problems: LinkProblem[] = [];
  if (url.username || url.password) problems.push("credentials");
  const host = url.hostname.replace(/\.$/, "");
  const parsed = parseDomain(host);
  if (parsed.isIp || host.startsWith("[")) {
    problems.push("ip_address");
    return { url: text, domain: null, problems };
  }
  const domain = parsed.domain;
  if (!domain || !parsed.isIcann) {
    // An unknown suffix can still be on the blocked list (deployments block what they like).
    if (domain && isListed(domain, host, blockedDomains)) problems.push("blocked_domain");
    problems.push("malformed");
    return { url: text, domain, problems };
  }
  if (isListed(domain, host, blockedDomains)) problems.push("blocked_domain");
  if (isListed(domain, host, shorteners)) problems.push("shortener");
  if (host.split(".").some((label) => label.startsWith("xn--"))) problems.push("punycode");
  return { url: text, domain, problems };
}

/** Listed as the registrable domain, or as the host or one of its parents below that domain. */
function isListed(domain: string, host: string, list: ReadonlySet<string>): boolean {
  let candidate = host;
  for (;;) {
    if (list.has(candidate)) return true;
    const dot = candidate.indexOf(".");
    if (candidate === domain || dot === -1) return false;
    candidate = candidate.slice(dot + 1);
  }
}
