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

/**
 * Parses JSON text; 400 with the reason when it is not JSON, or when a string in it holds text
 * Postgres cannot store (U+0000, or a lone UTF-16 surrogate such as "\ud800"), which would
 * otherwise fail later as a database error.
 */
export function parseJson(text: string): unknown {
  if (text.trim() === "") throw new HttpError(400, "empty_body", "Request body must be JSON.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "Request body is not valid JSON.");
  }
  const path = unstorableTextPath(value);
  if (path !== undefined) {
    throw new HttpError(400, "invalid_text", "Text must not contain U+0000 or lone surrogates.", [
      { path: path.join(".") || "(body)", message: "contains U+0000 or a lone surrogate" },
    ]);
  }
  return value;
}

/** A value met while walking a body, linked to its parent so paths are built only on failure. */
interface WalkedValue {
  value: unknown;
  key?: string | number;
  parent?: WalkedValue;
}

function pathOf(walked: WalkedValue): string[] {
  const path: string[] = [];
  for (let at: WalkedValue | undefined = walked; at?.key !== undefined; at = at.parent) {
    path.push(String(at.key));
  }
  return path.reverse();
}

/**
 * Path of the first string (value or key) Postgres cannot store, or undefined. Iterative, so a
 * deeply nested body cannot exhaust the stack.
 */
function unstorableTextPath(body: unknown): string[] | undefined {
  const storable = (text: string) => text.isWellFormed() && !text.includes("\0");
  const pending: WalkedValue[] = [{ value: body }];
  for (let walked = pending.pop(); walked; walked = pending.pop()) {
    const { value } = walked;
    if (typeof value === "string" && !storable(value)) return pathOf(walked);
    if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, key: index, parent: walked }));
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      if (!storable(key)) return [...pathOf(walked), "(key)"];
      pending.push({ value: item, key, parent: walked });
    }
  }
  return undefined;
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
};
