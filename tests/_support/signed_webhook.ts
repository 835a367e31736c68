// Headers of a signed webhook request, as a sender builds them, or tampered with as a test says.

import { signWebhookBody } from "../../supabase/functions/_shared/webhook_auth.ts";

export const now = () => Math.floor(Date.now() / 1000);

export interface Signed {
  body: string;
  /** Defaults to `body`. */
  signedBody?: string;
  timestamp: number;
  /** The secret the signature is made with; defaults to the one presented. */
  secret?: string;
  signature?: string;
}

/** The headers of `signed`, presenting `webhookSecret` in x-webhook-secret. */
export async function signedHeaders(
  signed: Signed,
  webhookSecret: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const signature = signed.signature ?? await signWebhookBody(
    signed.secret ?? webhookSecret,
    signed.timestamp,
    signed.signedBody ?? signed.body,
  );
  return {
    "content-type": "application/json",
    "x-webhook-secret": webhookSecret,
    "x-webhook-timestamp": String(signed.timestamp),
    "x-webhook-signature": signature,
    ...extra,
  };
}
