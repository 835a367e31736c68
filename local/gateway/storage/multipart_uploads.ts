// Multipart uploads as storage-api takes them, in front of lite 0.10 (see ../STORAGE.md, row 6).
// supabase-js sends a Blob or File (what a browser has) as multipart/form-data: `cacheControl` in a
// field, then the file in a part named "". storage-api takes the file part whatever its name; lite
// reads only a part named "file" on POST, through the runtime's `formData()`, which drops parts
// named "" (so it answers "Missing file in multipart upload"), and stores a PUT's multipart body as
// the object itself. The upload goes to lite as a raw body instead, with the part's content type,
// its size and the field's cache control, as storage-api stores them.

type Serve = (request: Request) => Promise<Response>;

interface Part {
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
}

const OBJECT_WRITE =
  /^\/storage\/v1\/object\/(?!sign\/|upload\/|list\/|info\/|public\/|move$|copy$)[^/]+\/./;
const ascii = new TextEncoder();
const text = new TextDecoder();

export function isMultipartUpload(request: Request): boolean {
  return (request.method === "POST" || request.method === "PUT") &&
    OBJECT_WRITE.test(new URL(request.url).pathname) &&
    (request.headers.get("content-type") ?? "").startsWith("multipart/form-data");
}

function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  search: for (let at = from; at <= bytes.length - needle.length; at++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (bytes[at + offset] !== needle[offset]) continue search;
    }
    return at;
  }
  return -1;
}

/** The parts of a multipart/form-data body (RFC 7578), by bytes so a file part stays intact. */
function parts(body: Uint8Array<ArrayBuffer>, boundary: string): Part[] {
  const delimiter = ascii.encode(`\r\n--${boundary}`);
  const headersEnd = ascii.encode("\r\n\r\n");
  // The first delimiter has no line break before it.
  let at = indexOf(body, delimiter.subarray(2), 0);
  const found: Part[] = [];
  while (at >= 0) {
    const start = at + (found.length === 0 ? delimiter.length - 2 : delimiter.length);
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // "--": the closing delimiter
    const headerEnd = indexOf(body, headersEnd, start);
    const next = indexOf(body, delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) break;
    const headers = new Headers();
    for (const line of text.decode(body.subarray(start + 2, headerEnd)).split("\r\n")) {
      const colon = line.indexOf(":");
      // A header Headers cannot hold (bad name or value) makes the body unreadable: lite answers.
      if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    found.push({ headers, body: body.subarray(headerEnd + headersEnd.length, next) });
    at = next;
  }
  return found;
}

const fieldName = (part: Part) =>
  /;\s*name="([^"]*)"/.exec(part.headers.get("content-disposition") ?? "")?.[1];
const isFile = (part: Part) => /;\s*filename=/.test(part.headers.get("content-disposition") ?? "");

export async function multipartAsRawUpload(request: Request, serve: Serve): Promise<Response> {
  const boundary = /boundary="?([^";]+)"?/.exec(request.headers.get("content-type") ?? "")?.[1];
  const body = new Uint8Array(await request.arrayBuffer());
  let found: Part[] = [];
  try {
    if (boundary) found = parts(body, boundary);
  } catch {
    found = [];
  }
  const file = found.find(isFile);
  // Not a readable multipart body, or no file in it: lite answers its own 400.
  if (!file) {
    return await serve(
      new Request(request.url, { method: request.method, headers: request.headers, body }),
    );
  }
  const headers = new Headers(request.headers);
  headers.set("content-type", file.headers.get("content-type") || "application/octet-stream");
  headers.set("content-length", String(file.body.length));
  const cacheControl = found.find((part) => !isFile(part) && fieldName(part) === "cacheControl");
  if (cacheControl && cacheControl.body.length > 0) {
    headers.set("cache-control", `max-age=${text.decode(cacheControl.body)}`);
  }
  return await serve(
    new Request(request.url, { method: request.method, headers, body: file.body }),
  );
}
