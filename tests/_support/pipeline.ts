// What the pipeline tests share: calling Edge Functions over HTTP as the old backend's webhook
// callers did, and reading their JSON answers.

import { platform } from "./platform.ts";

/** Calls /functions/v1/<name>; `secret: null` leaves the webhook secret out. */
export function callFunction(
  name: string,
  init: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    secret?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  const secret = init.secret === undefined ? platform.webhookSecret : init.secret;
  if (secret !== null) headers["x-webhook-secret"] = secret;
  return fetch(`${platform.url}/functions/v1/${name}`, {
    method: init.method ?? "POST",
    headers,
    body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
}

/** Status and JSON body of a response (the body is always read, so no resource leaks). */
export async function jsonOf(
  response: Response,
): Promise<{ status: number; contentType: string; body: Record<string, unknown> }> {
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${response.status} is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", body };
}
