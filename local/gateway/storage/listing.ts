// Object listing as storage-api answers it, in front of lite 0.10 (see ../STORAGE.md).
// `POST /object/list/<bucket> {prefix, limit, offset, sortBy, search}` lists one level of the
// bucket, as folders: the direct children of `prefix` (a trailing "/" implied), files by their name
// relative to it, sub-folders once each with `id: null` and `metadata: null`; `search` keeps the
// children whose name starts with it (case ignored). lite answers every object under the prefix,
// at any depth, with its full name; this reads them all through lite (so under the caller's
// RLS) and answers the level.

type Serve = (request: Request) => Promise<Response>;

const LIST = /^\/storage\/v1\/object\/list\/[^/]+\/?$/;
const LITE_PAGE = 1000;
const SORTABLE = new Set(["name", "created_at", "updated_at", "last_accessed_at"]);

interface ListedObject {
  name: string;
  id: string | null;
  created_at: string | null;
  updated_at: string | null;
  last_accessed_at: string | null;
  metadata: Record<string, unknown> | null;
  [column: string]: unknown;
}

interface ListOptions {
  prefix?: unknown;
  limit?: unknown;
  offset?: unknown;
  sortBy?: { column?: unknown; order?: unknown };
  search?: unknown;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

function invalid(message: string): Response {
  return json(400, { statusCode: "400", error: "InvalidRequest", message });
}

export function isListRequest(request: Request): boolean {
  return request.method === "POST" && LIST.test(new URL(request.url).pathname);
}

export async function listAsStorageApi(request: Request, serve: Serve): Promise<Response> {
  let options: ListOptions;
  try {
    options = await request.json() ?? {};
  } catch {
    return invalid("body must be JSON: {prefix, limit, offset, sortBy, search}");
  }
  const { prefix = "", limit = 100, offset = 0, search = "", sortBy = {} } = options;
  const column = sortBy.column ?? "name";
  const order = sortBy.order ?? "asc";
  if (typeof prefix !== "string" || typeof search !== "string") {
    return invalid("prefix and search must be strings");
  }
  if (
    !Number.isInteger(limit) || (limit as number) < 1 || !Number.isInteger(offset) ||
    (offset as number) < 0
  ) {
    return invalid("limit must be a positive integer and offset a non-negative one");
  }
  if (
    typeof column !== "string" || !SORTABLE.has(column) || (order !== "asc" && order !== "desc")
  ) {
    return invalid(`sortBy: column one of ${[...SORTABLE].join(", ")}, order asc or desc`);
  }
  const folder = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;

  const objects: ListedObject[] = [];
  for (let page = 0;; page++) {
    const headers = new Headers(request.headers);
    headers.delete("content-length");
    const response = await serve(
      new Request(request.url, {
        method: "POST",
        headers,
        body: JSON.stringify({
          prefix: folder,
          limit: LITE_PAGE,
          offset: page * LITE_PAGE,
          sortBy: { column: "name", order: "asc" },
        }),
      }),
    );
    if (response.status !== 200) return response;
    const rows = await response.json() as ListedObject[];
    objects.push(...rows.filter((row) => row.name.startsWith(folder)));
    if (rows.length < LITE_PAGE) break;
  }

  const level = new Map<string, ListedObject>();
  for (const object of objects) {
    const [child, ...rest] = object.name.slice(folder.length).split("/");
    if (!child.toLowerCase().startsWith(search.toLowerCase())) continue;
    if (rest.length === 0) level.set(`file:${child}`, { ...object, name: child });
    else if (!level.has(`folder:${child}`)) {
      level.set(`folder:${child}`, {
        name: child,
        id: null,
        created_at: null,
        updated_at: null,
        last_accessed_at: null,
        metadata: null,
      });
    }
  }
  const direction = order === "asc" ? 1 : -1;
  const entries = [...level.values()].sort((a, b) => {
    const left = String(a[column] ?? "");
    const right = String(b[column] ?? "");
    return (left < right ? -1 : left > right ? 1 : a.name < b.name ? -1 : 1) * direction;
  });
  return json(200, entries.slice(offset as number, (offset as number) + (limit as number)));
}
