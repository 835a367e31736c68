// Request bodies: size limit, JSON parsing and schema validation in one place.
// Rule for unknown fields: rejected (400), so a typo in a field name never passes silently.

import { z } from "./deps.ts";
import { HttpError } from "./http.ts";

/** Default limit for webhook-style JSON bodies. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Reads the raw body, refusing (413) anything larger than `maxBytes`, even without Content-Length. */
export async function readRawBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "invalid_encoding", "Request body must be UTF-8.");
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "payload_too_large", `Request body exceeds ${maxBytes} bytes.`);
}

/** Parses JSON text; 400 with the reason when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === "") throw new HttpError(400, "empty_body", "Request body must be JSON.");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "Request body is not valid JSON.");
  }
}

/** Validates a value against a schema; 400 listing every problem with its field path. */
export function validate<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HttpError(
    400,
    "invalid_request",
    "Request body is invalid.",
    result.error.issues.map((issue) => ({
      path: issue.path.join(".") || "(body)",
      message: issue.message,
    })),
  );
}

/** Checks the content type of a request that carries JSON; 415 otherwise. */
export function requireJsonContentType(request: Request): void {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    throw new HttpError(415, "unsupported_media_type", "Content-Type must be application/json.");
  }
}

/** Common field shapes, so every function validates ids and text the same way. */
export const fields = {
  uuid: () => z.uuid({ message: "must be a UUID" }),
  text: (maxLength: number) =>
    z.string().max(maxLength, { message: `must be at most ${maxLength} characters` }),
  nonEmptyText: (maxLength: number) =>
    z.string().trim().min(1, { message: "must not be empty" }).max(maxLength, {
      message: `must be at most ${maxLength} characters`,
    }),
};
