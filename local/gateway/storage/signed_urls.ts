// Signed download URLs as storage-api answers them, in front of lite 0.10 (see ../STORAGE.md):
//   POST /object/sign/<bucket>/<name> {expiresIn}          -> {"signedURL": "/object/sign/…"}
//   POST /object/sign/<bucket>        {expiresIn, paths}   -> [{path, signedURL, error}]
// supabase-js appends signedURL to its storage URL. lite answers the first with
// `{"signedUrl": "/storage/v1/object/sign/…"}` (supabase-js then builds ".../v1undefined") and the
// second with 404: it is answered here one path at a time, each under the caller's own rights.

type Serve = (request: Request) => Promise<Response>;

const SIGN_ONE = /^\/storage\/v1\/object\/sign\/[^/]+\/./;
const SIGN_MANY = /^\/storage\/v1\/object\/sign\/[^/]+\/?$/;
const MAX_PATHS = 1000;

function storageError(statusCode: string, error: string, message: string): Response {
  return json(400, { statusCode, error, message });
}

/** lite's answer to one signing request, with storage-api's `signedURL` (null when refused). */
async function signOne(serve: Serve, request: Request, url: URL, body: string) {
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  const response = await serve(new Request(url, { method: "POST", headers, body }));
  const answer = await response.json().catch(() => ({})) as { signedUrl?: string };
  const signedURL = response.status === 200 && answer.signedUrl
    ? answer.signedUrl.replace(/^\/storage\/v1/, "")
    : null;
  return { status: response.status, answer, signedURL };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

export async function signedUrlsAsStorageApi(request: Request, serve: Serve): Promise<Response> {
  const url = new URL(request.url);
  if (request.method !== "POST" || !url.pathname.startsWith("/storage/v1/object/sign/")) {
    return await serve(request);
  }
  const many = SIGN_MANY.test(url.pathname);
  if (!many && !SIGN_ONE.test(url.pathname)) return await serve(request);
  const text = await request.text();
  if (!many) {
    const { status, answer, signedURL } = await signOne(serve, request, url, text);
    return signedURL ? json(200, { signedURL }) : json(status, answer);
  }

  let body: { expiresIn?: unknown; paths?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return storageError("400", "InvalidRequest", "body must be JSON: {expiresIn, paths}");
  }
  const { expiresIn, paths } = body ?? {};
  if (typeof expiresIn !== "number" || !(expiresIn >= 1)) {
    return storageError("400", "InvalidRequest", "expiresIn must be a number of seconds >= 1");
  }
  if (
    !Array.isArray(paths) || paths.length === 0 || paths.length > MAX_PATHS ||
    !paths.every((path) => typeof path === "string" && path.length > 0)
  ) {
    return storageError(
      "400",
      "InvalidRequest",
      `paths must be 1 to ${MAX_PATHS} non-empty object names`,
    );
  }
  const signed = [];
  for (const path of paths as string[]) {
    const name = path.split("/").map(encodeURIComponent).join("/");
    const one = new URL(`${url.pathname.replace(/\/$/, "")}/${name}`, url);
    const { signedURL } = await signOne(serve, request, one, JSON.stringify({ expiresIn }));
    signed.push({
      path,
      signedURL,
      error: signedURL ? null : "Either the object does not exist or you do not have access to it",
    });
  }
  return json(200, signed);
}
