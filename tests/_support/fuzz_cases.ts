// The fuzz suite's catalogue (tests/fuzz_test.ts): which entry points exist, what a request they
// accept looks like, and the hostile variants of it. Entry points are discovered, not listed:
// every folder of supabase/functions that does not start with `_`, and every function of schema
// public that anon or authenticated may execute. Profiles below only say what a valid request to a
// known function looks like; a function without one is still fuzzed, with a probed method and
// generic cases.

import type postgres from "postgres";

/**
 * "refused": must answer 4xx JSON and write nothing. "handled": must not answer 5xx.
 * "accepted": must answer 2xx (the valid request the hostile ones are variations of).
 */
export type Expectation = "refused" | "handled" | "accepted";

export interface Attempt {
  method: string;
  /** From the API root: /functions/v1/<name> or /rest/v1/rpc/<name>. */
  path: string;
  headers: Record<string, string>;
  body?: string | (() => ReadableStream<Uint8Array>);
  /** Sign `body` with a timestamp `ageSeconds` old when sending (x-webhook-signature). */
  signature?: { ageSeconds: number; body: string };
}

export interface FuzzCase {
  /** Column of the printed table (see CASE_LEGEND). */
  key: string;
  expect: Expectation;
  attempt: Attempt;
}

export interface EntryPoint {
  label: string;
  cases: FuzzCase[];
}

/** What each column of the table means. */
export const CASE_LEGEND: Record<string, string> = {
  json: "malformed JSON",
  empty: "empty body",
  array: "body is an array",
  scalr: "body is a scalar",
  types: "every field of the wrong type",
  miss: "required fields missing",
  extra: "unknown field",
  hstr: "huge strings (60-100 kB each)",
  harr: "huge arrays (10k-100k items)",
  big: "oversize body with Content-Length (1.1-5 MB)",
  chunk: "oversize body streamed, no Content-Length",
  ctype: "Content-Type text/plain",
  deep: "JSON nested 30k (functions: under the size limit) or 100k (RPCs) deep",
  proto: "__proto__ / constructor keys",
  sqli: "SQL injection in every field",
  html: "HTML/script injection in every field",
  nul: "U+0000 in strings",
  surr: "lone UTF-16 surrogate in strings",
  meth: "wrong methods (GET/POST, PUT, DELETE, PATCH)",
  nocrd: "no credentials at all",
  anon: "anon (publishable) key only",
  badwh: "wrong x-webhook-secret",
  forgd: "user JWT signed with another secret",
  expir: "expired user JWT (real secret)",
  algno: "unsigned JWT (alg none)",
  fsvc: "service_role JWT signed with another secret",
  noprf: "valid JWT of a user without profile",
  stale: "webhook signature older than 5 minutes",
  badsg: "webhook signature of another body",
  cand: "candidate's session",
  comp: "company's session",
  admin: "admin's session",
  svc: "service role key",
  sqlt: "SQL injection in text fields (valid otherwise)",
  htmlt: "HTML in text fields (valid otherwise)",
  uni: "RTL override, emoji ZWJ, combining marks, BOM in text fields",
  valid: "the valid request all others vary (control, sent last)",
  lelem: "REST write with one array element of 20,000 characters",
  ltext: "REST write with a text column of 100,000 characters",
};

/** Who a function lets through. */
export type CallerRule = "public" | "webhook" | "user" | "admin";

export interface FunctionProfile {
  method: "GET" | "POST";
  callers: CallerRule;
  /** A body the function accepts; `$name` strings are fixtures (see Fixtures). */
  body?: Record<string, unknown>;
  /** Fields of `body` that hold free text (not ids, not enums). */
  freeText?: string[];
}

/** Valid requests to the functions of SPEC §4. */
export const FUNCTION_PROFILES: Record<string, FunctionProfile> = {
  "health": { method: "GET", callers: "public" },
  "whoami": { method: "GET", callers: "user" },
  "queue-health": { method: "GET", callers: "admin" },
  "notify": {
    method: "POST",
    callers: "admin",
    body: { userId: "$self", title: "Fuzz", body: "Fuzz notification", type: "system" },
    freeText: ["title", "body"],
  },
  "queue-worker": { method: "POST", callers: "webhook", body: { queue: "notifications" } },
  "jobs-analyze": {
    method: "POST",
    callers: "webhook",
    body: {
      jobId: "$job",
      title: "Développeuse TypeScript",
      description: "Node.js, PostgreSQL",
      requiredSkills: ["TypeScript"],
      experienceLevel: "mid",
      location: "Paris",
    },
    freeText: ["title", "description", "location"],
  },
  "posts-moderate": {
    method: "POST",
    callers: "webhook",
    // $post is the company's ($peer's) post: userId must be its author.
    body: { postId: "$post", content: "Bonjour", images: [], links: [], userId: "$peer" },
    freeText: ["content"],
  },
  "activity-score": {
    method: "POST",
    callers: "webhook",
    body: { userId: "$self", action: "view", targetId: "$job", targetType: "job" },
  },
};

/** Rows the valid requests point at, and the tokens of each kind of caller. */
export interface Fixtures {
  ids: {
    self: string;
    peer: string;
    job: string;
    post: string;
    conversation: string;
    message: string;
  };
  tokens: {
    candidate: string;
    company: string;
    admin: string;
    forged: string;
    expired: string;
    unsigned: string;
    forgedService: string;
    noProfile: string;
  };
  publishableKey: string;
  secretKey: string;
  webhookSecret: string;
}

// ---------------------------------------------------------------------------------------------
// Hostile values

const SQL_INJECTION = "'); drop table public.profiles; select pg_sleep(5); --";
const HTML_INJECTION = '<script>alert(document.cookie)</script><img src=x onerror="alert(1)">';
const UNICODE = "\u202egnp.exe \u{1F469}\u200D\u{1F4BB} e\u0301\u0301 \uFEFFزمن ok";
const NUL_TEXT = "a\u0000b";
const LONE_SURROGATE = "a\ud800b";
function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

function hugeText(length: number): string {
  return "x".repeat(length);
}

/** A streamed body of `bytes` bytes: fetch sends it chunked, without Content-Length. */
function streamOf(bytes: number): () => ReadableStream<Uint8Array> {
  return () => {
    let sent = 0;
    const chunk = new TextEncoder().encode(`{"x":"${"y".repeat(64 * 1024)}`);
    return new ReadableStream({
      pull(controller) {
        if (sent >= bytes) return controller.close();
        controller.enqueue(chunk);
        sent += chunk.byteLength;
      },
    });
  };
}

/** A value of another JSON type than `value`. */
function wrongTypeFor(value: unknown): unknown {
  if (typeof value === "string") return 12345;
  if (typeof value === "number") return "twelve";
  if (typeof value === "boolean") return "maybe";
  if (Array.isArray(value)) return "not-an-array";
  return [1, 2, 3];
}

function mapValues(
  body: Record<string, unknown>,
  change: (value: unknown) => unknown,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, change(value)]));
}

/** Replaces strings (and strings in arrays) by `text`; other values stay. */
function withText(body: Record<string, unknown>, text: string): Record<string, unknown> {
  return mapValues(body, (value) => {
    if (typeof value === "string") return text;
    if (Array.isArray(value)) return value.map((item) => typeof item === "string" ? text : item);
    return value;
  });
}

/** `body` with `text` appended to its free-text fields: valid except for that text. */
function withFreeText(
  body: Record<string, unknown>,
  fields: string[],
  text: string,
): Record<string, unknown> {
  return {
    ...body,
    ...Object.fromEntries(fields.map((field) => [field, `${body[field]} ${text}`])),
  };
}

function resolveFixtures(
  body: Record<string, unknown>,
  fixtures: Fixtures,
): Record<string, unknown> {
  const ids = fixtures.ids as Record<string, string>;
  return mapValues(
    body,
    (value) =>
      typeof value === "string" && value.startsWith("$") ? ids[value.slice(1)] ?? value : value,
  );
}

// ---------------------------------------------------------------------------------------------
// Edge Functions

/** Function names: folders of supabase/functions that do not start with `_` and hold index.ts. */
export async function discoverFunctions(projectRoot: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${projectRoot}/supabase/functions`)) {
    if (!entry.isDirectory || entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
    try {
      await Deno.stat(`${projectRoot}/supabase/functions/${entry.name}/index.ts`);
      names.push(entry.name);
    } catch { /* a folder being written, not a function yet */ }
  }
  return names.sort();
}

/**
 * The profile of a function nobody described: its method from the `allow` header of a 405; public
 * when it answers a caller without credentials; else webhook or user from how it refuses the
 * service role (`missing_secret` / `invalid_secret`).
 */
export async function probeProfile(
  apiUrl: string,
  name: string,
  fixtures: Fixtures,
): Promise<FunctionProfile> {
  const url = `${apiUrl}/functions/v1/${name}`;
  const call = async (method: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method,
      headers: { ...headers, "content-type": "application/json" },
      body: method === "GET" ? undefined : "{}",
    });
    return {
      status: response.status,
      allow: response.headers.get("allow"),
      text: await response.text(),
    };
  };
  const service = { authorization: `Bearer ${fixtures.secretKey}` };
  // With the service key, so that verify_jwt lets the probe reach the function.
  const method = (await call("PUT", service)).allow?.includes("GET") ? "GET" : "POST";
  if ((await call(method)).status < 400) return { method, callers: "public", body: {} };
  const asService = await call(method, service);
  return { method, callers: /_secret"/.test(asService.text) ? "webhook" : "user", body: {} };
}

/** The headers of a caller the function lets through. */
function allowedCaller(profile: FunctionProfile, fixtures: Fixtures): Record<string, string> {
  switch (profile.callers) {
    case "public":
      return {};
    case "webhook":
      return { "x-webhook-secret": fixtures.webhookSecret };
    case "user":
      return { authorization: `Bearer ${fixtures.tokens.candidate}` };
    case "admin":
      return { authorization: `Bearer ${fixtures.tokens.admin}` };
  }
}

export function functionCases(
  name: string,
  profile: FunctionProfile,
  fixtures: Fixtures,
  /** Every request of this entry point comes from this address, its own rate-limit bucket. */
  clientAddress: string,
  /** The profile was probed, not described: who may call is a guess. */
  probed: boolean,
): FuzzCase[] {
  const path = `/functions/v1/${name}`;
  const base = { "x-forwarded-for": clientAddress };
  const allowed = { ...base, ...allowedCaller(profile, fixtures) };
  const json = { "content-type": "application/json" };
  const cases: FuzzCase[] = [];
  const add = (
    key: string,
    expect: Expectation,
    method: string,
    headers: Record<string, string>,
    body?: Attempt["body"],
  ) => cases.push({ key, expect, attempt: { method, path, headers, body } });

  const valid = resolveFixtures(profile.body ?? {}, fixtures);
  const validText = JSON.stringify(valid);
  const otherMethods = ["GET", "POST", "PUT", "DELETE", "PATCH"].filter((m) =>
    m !== profile.method
  );
  for (const method of otherMethods) {
    add(
      "meth",
      "refused",
      method,
      { ...allowed, ...json },
      method === "GET" ? undefined : validText,
    );
  }

  if (profile.method === "POST") {
    const post = (key: string, expect: Expectation, body: Attempt["body"], headers = json) =>
      add(key, expect, "POST", { ...allowed, ...headers }, body);
    const stringFields = Object.values(valid).some((value) => typeof value === "string");
    const arrayFields = Object.entries(valid).filter(([, value]) => Array.isArray(value));
    post("json", "refused", '{"broken": ');
    post("empty", "refused", "");
    post("array", "refused", "[1,2,3]");
    post("scalr", "refused", '"fuzz"');
    if (Object.keys(valid).length) {
      post("types", "refused", JSON.stringify(mapValues(valid, wrongTypeFor)));
    }
    post("miss", "refused", "{}");
    post("extra", "refused", JSON.stringify({ ...valid, fuzzUnknownField: 1 }));
    if (stringFields) post("hstr", "refused", JSON.stringify(withText(valid, hugeText(60_000))));
    post(
      "harr",
      "refused",
      JSON.stringify(
        arrayFields.length
          ? {
            ...valid,
            ...Object.fromEntries(arrayFields.map(([key]) => [key, Array(10_000).fill("x")])),
          }
          : Array(10_000).fill(0),
      ),
    );
    post("big", "refused", JSON.stringify({ ...valid, padding: hugeText(1_100_000) }));
    post("chunk", "refused", streamOf(1_200_000));
    post("ctype", "refused", validText, { "content-type": "text/plain" });
    post("deep", "refused", `{"fuzz":${nested(30_000)}}`);
    const prototypeKeys = '{"__proto__":{"admin":true},"constructor":{"prototype":{}}';
    post(
      "proto",
      "refused",
      validText === "{}" ? `${prototypeKeys}}` : `${prototypeKeys},${validText.slice(1)}`,
    );
    if (Object.keys(valid).length) {
      post("sqli", "refused", JSON.stringify(mapValues(valid, () => SQL_INJECTION)));
      post("html", "refused", JSON.stringify(mapValues(valid, () => HTML_INJECTION)));
    }
    if (stringFields) {
      post("nul", "refused", JSON.stringify(withText(valid, NUL_TEXT)));
      post("surr", "refused", JSON.stringify(withText(valid, LONE_SURROGATE)));
    }
  }

  if (profile.callers !== "public") {
    const body = profile.method === "POST" ? validText : undefined;
    const as = (key: string, headers: Record<string, string>, expect: Expectation = "refused") =>
      add(key, expect, profile.method, { ...base, ...json, ...headers }, body);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const { tokens } = fixtures;
    as("nocrd", {});
    as("anon", { apikey: fixtures.publishableKey, ...bearer(fixtures.publishableKey) });
    if (profile.callers === "webhook") {
      as("badwh", { "x-webhook-secret": `${fixtures.webhookSecret}x` });
    }
    as("forgd", bearer(tokens.forged));
    as("expir", bearer(tokens.expired));
    as("algno", bearer(tokens.unsigned));
    as("fsvc", bearer(tokens.forgedService));
    as("noprf", bearer(tokens.noProfile));
    // Who else may call: webhooks take no session; admin functions take only admins.
    const roleExpectation = (allowedForRole: boolean): Expectation | undefined =>
      probed ? "handled" : allowedForRole ? undefined : "refused";
    const roles: [string, Record<string, string>, boolean][] = [
      ["cand", bearer(tokens.candidate), profile.callers === "user"],
      ["comp", bearer(tokens.company), profile.callers === "user"],
      ["admin", bearer(tokens.admin), profile.callers !== "webhook"],
      ["svc", bearer(fixtures.secretKey), profile.callers !== "webhook"],
    ];
    for (const [key, headers, allowedForRole] of roles) {
      const expect = roleExpectation(allowedForRole);
      if (expect) as(key, headers, expect);
    }
  }

  if (profile.callers === "webhook" && profile.method === "POST") {
    cases.push(...signatureCases(path, { ...allowed, ...json }, validText));
  }

  const freeText = profile.freeText ?? [];
  if (profile.method === "POST" && freeText.length) {
    const post = (key: string, text: string) =>
      add(
        key,
        "handled",
        "POST",
        { ...allowed, ...json },
        JSON.stringify(withFreeText(valid, freeText, text)),
      );
    post("sqlt", SQL_INJECTION);
    post("htmlt", HTML_INJECTION);
    post("uni", UNICODE);
  }
  if (!probed) {
    add(
      "valid",
      "accepted",
      profile.method,
      { ...allowed, ...json },
      profile.method === "POST" ? validText : undefined,
    );
  }
  return cases;
}

/** Signed webhook requests: one signed too long ago, one whose body changed after signing. */
function signatureCases(path: string, headers: Record<string, string>, body: string): FuzzCase[] {
  const tampered = body.replace(/}$/, ',"tampered":true}');
  return [
    {
      key: "stale",
      expect: "refused",
      attempt: { method: "POST", path, headers, body, signature: { ageSeconds: 6 * 60, body } },
    },
    {
      key: "badsg",
      expect: "refused",
      attempt: {
        method: "POST",
        path,
        headers,
        body,
        signature: { ageSeconds: 0, body: tampered },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// RPCs

export interface RpcArgument {
  name: string;
  type: string;
  hasDefault: boolean;
}

export interface Rpc {
  name: string;
  args: RpcArgument[];
  volatile: boolean;
  anonMayExecute: boolean;
}

/**
 * Functions of schema public that anon or authenticated may execute: what PostgREST serves under
 * /rest/v1/rpc. Extension members and trigger functions are not callable RPCs.
 */
export async function discoverRpcs(sql: postgres.Sql): Promise<Rpc[]> {
  const rows = await sql<
    { name: string; identity: string; defaults: number; volatile: boolean; anon: boolean }[]
  >`
    select p.proname as name,
           pg_get_function_identity_arguments(p.oid) as identity,
           p.pronargdefaults as defaults,
           p.provolatile = 'v' as volatile,
           has_function_privilege('anon', p.oid, 'execute') as anon
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public'
      and p.prokind = 'f'
      and p.prorettype <> 'trigger'::regtype
      and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
      and (has_function_privilege('anon', p.oid, 'execute')
        or has_function_privilege('authenticated', p.oid, 'execute'))
    order by p.proname, p.oid`;
  return rows.map((row) => {
    const parts = row.identity === "" ? [] : row.identity.split(", ");
    const args = parts.map((part, index) => {
      const [name, ...type] = part.replace(/^VARIADIC /, "").split(" ");
      return { name, type: type.join(" "), hasDefault: index >= parts.length - row.defaults };
    });
    return { name: row.name, args, volatile: row.volatile, anonMayExecute: row.anon };
  });
}

const TEXT_TYPES = /^(text|character varying|character|citext|name)(\[\])?$/;

/** Argument names that point at a fixture row. */
const FIXTURE_BY_ARGUMENT: Record<string, keyof Fixtures["ids"]> = {
  p_conversation_id: "conversation",
  p_message_id: "message",
  p_user_id: "peer",
  p_job_id: "job",
  p_post_id: "post",
  p_target_id: "job",
};

/** A value of the argument's type that the function should accept. */
function sampleValue(argument: RpcArgument, fixtures: Fixtures): unknown {
  const { name, type } = argument;
  if (type.endsWith("[]")) {
    return [sampleValue({ ...argument, type: type.slice(0, -2), name: "" }, fixtures)];
  }
  if (type === "uuid") return fixtures.ids[FIXTURE_BY_ARGUMENT[name]] ?? crypto.randomUUID();
  if (/^(integer|bigint|smallint|numeric|real|double precision)/.test(type)) return 1;
  if (type === "boolean") return true;
  if (/^(timestamp|date)/.test(type)) return new Date().toISOString();
  if (/^jsonb?$/.test(type)) return {};
  if (name === "p_action") return "view";
  return "fuzz";
}

function wrongValueFor(type: string): unknown {
  if (type.endsWith("[]")) return "not-an-array";
  if (type === "uuid") return "not-a-uuid";
  if (/^(integer|bigint|smallint|numeric|real|double precision)/.test(type)) return "twelve";
  if (type === "boolean") return "maybe";
  if (/^(timestamp|date)/.test(type)) return "the day after tomorrow";
  return undefined; // text and json take any JSON value
}

export function rpcCases(rpc: Rpc, fixtures: Fixtures): FuzzCase[] {
  const path = `/rest/v1/rpc/${rpc.name}`;
  const json = { "content-type": "application/json" };
  const caller = {
    apikey: fixtures.publishableKey,
    authorization: `Bearer ${fixtures.tokens.candidate}`,
  };
  const cases: FuzzCase[] = [];
  const add = (
    key: string,
    expect: Expectation,
    body: Attempt["body"],
    headers: Record<string, string> = { ...caller, ...json },
    method = "POST",
  ) => cases.push({ key, expect, attempt: { method, path, headers, body } });
  const required = rpc.args.filter((argument) => !argument.hasDefault);
  const textArgs = rpc.args.filter((argument) => TEXT_TYPES.test(argument.type));
  const arrayArgs = rpc.args.filter((argument) => argument.type.endsWith("[]"));
  const valid = Object.fromEntries(required.map((a) => [a.name, sampleValue(a, fixtures)]));
  const validText = JSON.stringify(valid);
  const allArgs = (value: (argument: RpcArgument) => unknown) =>
    JSON.stringify({ ...valid, ...Object.fromEntries(rpc.args.map((a) => [a.name, value(a)])) });
  const textArgsSetTo = (value: (argument: RpcArgument) => unknown) =>
    JSON.stringify({ ...valid, ...Object.fromEntries(textArgs.map((a) => [a.name, value(a)])) });
  const textValue = (text: string) => (a: RpcArgument) => a.type.endsWith("[]") ? [text] : text;

  add("json", "refused", '{"broken": ');
  // Without a body PostgREST calls the function without arguments, which is fine without
  // required ones.
  add("empty", required.length ? "refused" : "handled", "");
  add("array", "refused", "[1,2,3]");
  add("scalr", "refused", '"fuzz"');
  add("ctype", "refused", validText, { ...caller, "content-type": "text/plain" });
  const prototypeKeys = '{"__proto__":{"p_limit":1},"constructor":{"prototype":{}}';
  add(
    "proto",
    "refused",
    validText === "{}" ? `${prototypeKeys}}` : `${prototypeKeys},${validText.slice(1)}`,
  );
  const typed = rpc.args.filter((a) => wrongValueFor(a.type) !== undefined);
  if (typed.length) {
    add(
      "types",
      "refused",
      JSON.stringify({
        ...valid,
        ...Object.fromEntries(typed.map((a) => [a.name, wrongValueFor(a.type)])),
      }),
    );
  }
  if (required.length) {
    const { [required[0].name]: _dropped, ...missing } = valid;
    add("miss", "refused", JSON.stringify(missing));
  }
  add("extra", "refused", JSON.stringify({ ...valid, p_fuzz_unknown: 1 }));
  if (textArgs.length) add("hstr", "refused", textArgsSetTo(textValue(hugeText(100_000))));
  if (arrayArgs.length) {
    add(
      "harr",
      "refused",
      JSON.stringify({
        ...valid,
        ...Object.fromEntries(
          arrayArgs.map((
            a,
          ) => [
            a.name,
            Array(100_000).fill(sampleValue({ ...a, type: a.type.slice(0, -2) }, fixtures)),
          ]),
        ),
      }),
    );
  }
  add(
    "big",
    "refused",
    textArgs.length
      ? textArgsSetTo(textValue(hugeText(5_000_000)))
      : JSON.stringify({ ...valid, p_fuzz_padding: hugeText(5_000_000) }),
  );
  // In a real argument: PostgREST looks arguments up by name before reading their values.
  add("deep", "refused", `{"${rpc.args[0]?.name ?? "p_fuzz"}":${nested(100_000)}}`);
  const everyArgKind = rpc.args.length > 0 && typed.length > 0 ? "refused" : "handled";
  if (rpc.args.length) {
    add("sqli", everyArgKind, allArgs(textValue(SQL_INJECTION)));
    add("html", everyArgKind, allArgs(textValue(HTML_INJECTION)));
  }
  if (textArgs.length) {
    add("nul", "refused", textArgsSetTo(textValue(NUL_TEXT)));
    add("surr", "handled", textArgsSetTo(textValue(LONE_SURROGATE)));
  }
  for (const method of ["PUT", "DELETE", "PATCH"]) {
    add("meth", "refused", validText, undefined, method);
  }
  if (rpc.volatile) {
    const query = new URLSearchParams(Object.entries(valid).map(([k, v]) => [k, String(v)]));
    cases.push({
      key: "meth",
      expect: "refused",
      attempt: { method: "GET", path: `${path}?${query}`, headers: caller },
    });
  }

  const anonExpectation: Expectation = rpc.anonMayExecute ? "handled" : "refused";
  const { tokens } = fixtures;
  const withToken = (token: string) => ({
    apikey: fixtures.publishableKey,
    authorization: `Bearer ${token}`,
    ...json,
  });
  add("nocrd", anonExpectation, validText, json);
  add("anon", anonExpectation, validText, { apikey: fixtures.publishableKey, ...json });
  add("forgd", "refused", validText, withToken(tokens.forged));
  add("expir", "refused", validText, withToken(tokens.expired));
  add("algno", "refused", validText, withToken(tokens.unsigned));
  add("fsvc", "refused", validText, withToken(tokens.forgedService));
  add("noprf", "handled", validText, withToken(tokens.noProfile));

  if (textArgs.length) {
    add("sqlt", "handled", textArgsSetTo(textValue(SQL_INJECTION)));
    add("htmlt", "handled", textArgsSetTo(textValue(HTML_INJECTION)));
    add("uni", "handled", textArgsSetTo(textValue(UNICODE)));
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// What a request wrote

/**
 * A fingerprint of everything a request could write: for each table of public, private and pgmq
 * its row count and newest xmin (an insert or update changes it), and the last value of each
 * sequence (a pgmq message consumed at once still advanced its queue's sequence). The rate
 * limiter's buckets are left out: every request spends a token, refused or not, by design.
 */
export async function writeFingerprintQuery(sql: postgres.Sql): Promise<string> {
  const tables = await sql<{ name: string }[]>`
    select format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'private', 'pgmq') and c.relkind in ('r', 'p')
      and not (n.nspname = 'private' and c.relname = 'rate_limit_buckets')
    order by 1`;
  const parts = tables.map(({ name }) =>
    `select '${name}' as name, count(*)::text || '/' || coalesce(max(xmin::text::bigint), 0)::text as state from ${name}`
  );
  parts.push(`select schemaname || '.' || sequencename, coalesce(last_value, 0)::text
    from pg_sequences where schemaname in ('public', 'private', 'pgmq')`);
  return parts.join("\nunion all\n");
}

export async function writeFingerprint(
  sql: postgres.Sql,
  query: string,
): Promise<Map<string, string>> {
  const rows = await sql.unsafe<{ name: string; state: string }[]>(query);
  return new Map(rows.map((row) => [row.name, row.state]));
}

/** Names whose state differs between two fingerprints. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}

/**
 * REST writes of the tables members write, each with one oversize value: an array element of
 * 20,000 characters (a skill, an image, a link) or a text of 100,000 characters. Every one must
 * be a 4xx that writes nothing, never the 500 of an index that meets an oversize row.
 */
export function tableWriteCases(fixtures: Fixtures): EntryPoint[] {
  const longElement = [hugeText(20_000)];
  const longText = hugeText(100_000);
  const as = (token: string) => ({
    apikey: fixtures.publishableKey,
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
  });
  /**
   * A write of one oversize value into `table.column` as `token`: a PATCH of the row `id`, or a
   * POST of a new row with the other `fields` it needs. An oversize text may follow a `prefix`
   * (a URL's scheme and host, so that only its length is wrong).
   */
  const write = (
    tableColumn: string,
    key: "lelem" | "ltext",
    token: string,
    { id, fields = {}, prefix = "" }: { id?: string; fields?: object; prefix?: string },
  ): EntryPoint => {
    const [table, column] = tableColumn.split(".");
    const body = { ...fields, [column]: key === "lelem" ? longElement : prefix + longText };
    return {
      label: `rest ${tableColumn}`,
      cases: [{
        key,
        expect: "refused",
        attempt: {
          method: id ? "PATCH" : "POST",
          path: id ? `/rest/v1/${table}?id=eq.${id}` : `/rest/v1/${table}`,
          headers: as(token),
          body: JSON.stringify(body),
        },
      }],
    };
  };
  const { candidate, company } = fixtures.tokens;
  const { self, peer, post } = fixtures.ids;
  return [
    write("candidates.skills", "lelem", candidate, { id: self }),
    write("candidates.headline", "ltext", candidate, { id: self }),
    write("jobs.required_skills", "lelem", company, { fields: { title: "Offre fuzz" } }),
    write("jobs.description", "ltext", company, { fields: { title: "Offre fuzz" } }),
    write("posts.images", "lelem", candidate, { fields: { content: "Fuzz" } }),
    write("posts.links", "lelem", candidate, { fields: { content: "Fuzz" } }),
    write("post_comments.content", "ltext", candidate, { fields: { post_id: post } }),
    write("profiles.avatar_url", "ltext", candidate, {
      id: self,
      prefix: "https://cdn.example.com/",
    }),
    write("profiles.full_name", "ltext", candidate, { id: self }),
    write("companies.website", "ltext", company, { id: peer, prefix: "https://example.com/" }),
  ];
}
