// Phishing and impersonation, a category of its own: account-suspension and verification lures,
// links to credential pages, and names that pass for the platform ("Emploi+", "équipe", support).
// Text is folded (lower case, no accents, punctuation as spaces) before matching, in French and
// English.

import { foldAccents } from "./language.ts";

/** Lures: what a phishing message says to make a member act. Patterns over folded text. */
const LURES: readonly RegExp[] = [
  // "Votre compte (Emploi+) est suspendu / a été bloqué / sera désactivé"
  /\bvotre compte( emploi\+?( plus)?)? (est|a ete|sera|va etre) (suspendu|bloque|desactive|restreint|verrouille|ferme|supprime)/,
  /\b(verifiez|confirmez|validez|reactivez|debloquez|securisez) (votre|vos) (compte|identite|coordonnees|mot de passe|informations|donnees|acces|profil)/,
  /\b(mettez|mettre) a jour (vos|votre) (informations|coordonnees|donnees) (bancaires|de paiement|de connexion)/,
  /\bvotre mot de passe (expire|a expire|doit etre)/,
  /\b(frais|paiement) (de dossier|d inscription|de formation) (obligatoires?|a regler|requis)/,
  /\bl equipe emploi\+?( plus)? (vous informe|vous demande|securite)/,
  /\bservice (de )?securite emploi/,
  // English
  /\byour (emploi\+? )?account (has been|is|was|will be) (suspended|locked|disabled|restricted|closed|deactivated)/,
  /\b(verify|confirm|validate|reactivate|unlock|secure) your (account|identity|password|login|details|profile)/,
  /\bupdate your (payment|billing|banking|login) (details|information|info)/,
  /\bunusual (sign in|sign-in|login) activity/,
  /\byour password (expires|has expired|will expire)/,
  /\bemploi\+? (security|support) team/,
];

/** Path or host words of a page that collects credentials. */
const CREDENTIAL_WORDS =
  /(^|[./\-_?=])(login|log-in|signin|sign-in|connexion|verify|verification|verifier|password|passwd|motdepasse|reset|unlock|secure|account-update|compte|wallet|banking)([./\-_?=]|$)/;

/** Names that pass for the platform or its staff. */
const IMPERSONATING_NAME =
  /(emploi ?\+|emploi ?plus|emploiplus|\bequipe\b|\bteam\b|\bsupport\b|\bmoderat|\badmin|\bservice client|\bsecurite\b|\bsecurity\b|\bofficiel|\bofficial\b|\bstaff\b)/;

function folded(text: string): string {
  return ` ${foldAccents(text).replace(/[^\p{L}\p{N}+]+/gu, " ").replace(/\s+/g, " ")} `;
}

export interface PhishingFindings {
  /** Lures found in the text. */
  lures: string[];
  /** Links whose host or path is a credential page. */
  credentialLinks: string[];
  /** Names that impersonate the platform. */
  impersonatingNames: string[];
}

export function findPhishing(
  text: string,
  links: readonly string[],
  names: readonly string[],
): PhishingFindings {
  const plain = folded(text);
  const lures = LURES.flatMap((lure) => plain.match(lure)?.[0]?.trim() ?? []);
  const credentialLinks = links.filter((link) => {
    const lower = link.toLowerCase().replace(/^[a-z]+:\/\//, "");
    return CREDENTIAL_WORDS.test(lower);
  });
  const impersonatingNames = names.filter((name) => IMPERSONATING_NAME.test(folded(name)));
  return { lures, credentialLinks, impersonatingNames };
}
