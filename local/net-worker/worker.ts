/**
 * The worker behind the pg_net stand-in (local/extensions/pg_net): what pg_net's background
 * worker does inside hosted Postgres, done from a Deno process.
 *
 * It claims rows of `net.http_request_queue` (deleting them, as pg_net does), sends them with
 * fetch, at most `concurrency` at a time, and writes one `net._http_response` row per request:
 * status, headers and body, or `timed_out` and `error_msg` worded like libcurl's. It also deletes
 * responses older than the `pg_net.ttl` setting (6 hours by default).
 *
 * `pg_net.ttl` is read by the worker's own session at every sweep. Without pg_net's C library
 * Postgres does not know the setting, so `alter system` refuses it: put it in postgresql.conf and
 * call `net.worker_restart()` (which reloads the configuration), or `alter database … set` it,
 * which the worker sees once it reconnects.
 *
 * It is woken at once by the NOTIFY that the queue's trigger sends at commit, so requests leave
 * right after their transaction commits and never when it rolls back. A slow sweep covers a
 * missed wake-up, re-establishes the LISTEN after the database restarts, retries saving responses
 * the database could not take, and expires old responses.
 */
import postgres from "postgres";
import { problemReporter } from "../platform/problem_reporter.ts";

/** Version of the pg_net SQL API this stand-in reproduces. */
const PG_NET_VERSION = "0.14.0";
/** NOTIFY channel of the queue's trigger (net._wake_worker in the extension script). */
const WAKE_CHANNEL = "pg_net_wake";
/** net.check_worker_is_up() recognises the worker's sessions by this name. */
const APPLICATION_NAME = `pg_net ${PG_NET_VERSION} worker`;
const USER_AGENT = `pg_net/${PG_NET_VERSION}`;

export interface NetWorkerOptions {
  /** postgres:// URL of a database where the pg_net stand-in extension is (or will be) created. */
  databaseUrl: string;
  /** Most requests in flight at once. Default 200, the real worker's default `pg_net.batch_size`. */
  concurrency?: number;
  /** Period of the safety sweep, in milliseconds. Default 2000. */
  sweepIntervalMs?: number;
  /** How long stop() lets in-flight requests finish before aborting them. Default 5000 ms. */
  stopGraceMs?: number;
  /** Where the worker reports problems and recoveries. Default: stderr. */
  log?: (message: string) => void;
}

export interface NetWorker {
  /** Resolves once the worker listens for wake-ups (or has been stopped). */
  ready: Promise<void>;
  /** Stops claiming, finishes or aborts the requests in flight, saves their responses, closes. */
  stop(): Promise<void>;
}

/** A row claimed from net.http_request_queue. */
interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

/** A row for net._http_response (a type, not an interface, so that sql.json accepts it). */
type ResponseRow = {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
};

export function startNetWorker(options: NetWorkerOptions): NetWorker {
  const concurrency = options.concurrency ?? 200;
  const sweepIntervalMs = options.sweepIntervalMs ?? 2000;
  const stopGraceMs = options.stopGraceMs ?? 5000;
  const log = options.log ?? ((message: string) => console.error(`[pg_net worker] ${message}`));

  const connection = { application_name: APPLICATION_NAME };
  const sql = postgres(options.databaseUrl, { max: 4, connection, onnotice: () => {} });
  // A connection of its own for LISTEN, kept open for good; each sweep re-issues the LISTEN, which
  // reconnects it after the database restarted. (onnotify is a postgres.js option its type
  // definitions leave out, hence the separate object.)
  const listenerOptions = {
    max: 1,
    max_lifetime: null,
    fetch_types: false,
    connection,
    onnotice: () => {},
    onnotify: () => wake(),
  };
  const listener = postgres(options.databaseUrl, listenerOptions);

  const inFlight = new Set<Promise<void>>();
  const unsavedResponses: ResponseRow[] = [];
  const stopRequests = new AbortController();
  let stopping: Promise<void> | undefined;
  let queueMayHaveMore = true;
  let draining: Promise<void> | undefined;
  let saving: Promise<void> | undefined;
  let sweeping: Promise<void> | undefined;

  let markReady = () => {};
  const ready = new Promise<void>((resolve) => markReady = resolve);

  const { reportProblem, reportSuccess } = problemReporter(log);

  function wake() {
    queueMayHaveMore = true;
    void drain();
  }

  function drain(): Promise<void> {
    draining ??= claimWhileRoom().then((claimed) => {
      draining = undefined;
      // A wake-up may have landed between the last claim and here.
      if (claimed && !stopping && queueMayHaveMore && inFlight.size < concurrency) void drain();
    });
    return draining;
  }

  /** Claims and sends requests while there is room; false when the database refused. */
  async function claimWhileRoom(): Promise<boolean> {
    while (!stopping && queueMayHaveMore && inFlight.size < concurrency) {
      const room = concurrency - inFlight.size;
      queueMayHaveMore = false; // a wake-up during the claim sets it again
      let requests: QueuedRequest[];
      try {
        requests = await claimRequests(room);
        reportSuccess("claiming requests");
      } catch (error) {
        reportProblem("claiming requests", error); // the next sweep tries again
        return false;
      }
      if (requests.length === room) queueMayHaveMore = true;
      for (const request of requests) send(request);
    }
    return true;
  }

  async function claimRequests(limit: number): Promise<QueuedRequest[]> {
    // skip locked: several workers may share a database without sending a request twice.
    return await sql<QueuedRequest[]>`
      with claimed as (
        select id from net.http_request_queue order by id limit ${limit} for update skip locked
      )
      delete from net.http_request_queue as queued
      using claimed
      where queued.id = claimed.id
      returning queued.id, queued.method, queued.url, queued.body, queued.timeout_milliseconds,
        (select coalesce(jsonb_agg(jsonb_build_array(key, value)), '[]')
         from jsonb_each_text(queued.headers)) as headers
    `;
  }

  function send(request: QueuedRequest) {
    const done = performRequest(request, stopRequests.signal)
      .then((response) => {
        unsavedResponses.push(response);
      })
      .finally(() => {
        inFlight.delete(done);
        void saveResponses();
        void drain();
      });
    inFlight.add(done);
  }

  function saveResponses(): Promise<void> {
    saving ??= saveUntilEmpty().then((saved) => {
      saving = undefined;
      // A response may have finished between the last insert and here.
      if (saved && unsavedResponses.length > 0) void saveResponses();
    });
    return saving;
  }

  /** Inserts the finished responses; false when the database refused (kept for the next sweep). */
  async function saveUntilEmpty(): Promise<boolean> {
    while (unsavedResponses.length > 0) {
      const batch = unsavedResponses.splice(0);
      try {
        await sql`
          insert into net._http_response
            (id, status_code, content_type, headers, content, timed_out, error_msg)
          select id, status_code, content_type, headers, content, timed_out, error_msg
          from jsonb_to_recordset(${sql.json(batch)}::jsonb) as response(
            id bigint, status_code int, content_type text, headers jsonb, content text,
            timed_out boolean, error_msg text
          )
        `;
        reportSuccess("saving responses");
      } catch (error) {
        unsavedResponses.unshift(...batch);
        reportProblem("saving responses", error);
        return false;
      }
    }
    return true;
  }

  function sweep(): Promise<void> {
    sweeping ??= sweepOnce().finally(() => sweeping = undefined);
    return sweeping;
  }

  async function sweepOnce() {
    try {
      await listener.unsafe(`listen ${WAKE_CHANNEL}`);
      reportSuccess("listening for wake-ups");
      markReady();
    } catch (error) {
      reportProblem("listening for wake-ups", error);
    }
    await saveResponses();
    try {
      await sql`
        delete from net._http_response
        where created < now()
          - coalesce(nullif(current_setting('pg_net.ttl', true), ''), '6 hours')::interval
      `;
      reportSuccess("deleting expired responses");
    } catch (error) {
      reportProblem("deleting expired responses", error);
    }
    wake();
  }

  void sweep();
  const sweepTimer = setInterval(() => void sweep(), sweepIntervalMs);

  async function stopNow() {
    clearInterval(sweepTimer);
    await Promise.allSettled([draining, sweeping]);
    const abortTimer = setTimeout(() => stopRequests.abort(), stopGraceMs);
    await Promise.allSettled([...inFlight]);
    clearTimeout(abortTimer);
    await saveResponses();
    await Promise.all([sql.end({ timeout: 5 }), listener.end({ timeout: 0 })]);
    markReady();
  }

  return {
    ready,
    stop() {
      stopping ??= stopNow();
      return stopping;
    },
  };
}

/** Sends one request; never throws: failures become a response row, as in pg_net. */
async function performRequest(request: QueuedRequest, stop: AbortSignal): Promise<ResponseRow> {
  const failure = (error_msg: string, timed_out = false): ResponseRow => ({
    id: request.id,
    status_code: null,
    content_type: null,
    headers: null,
    content: null,
    timed_out,
    error_msg,
  });

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failure("URL using bad/illegal format or missing URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return failure("Unsupported protocol");

  // As with libcurl, the time-out covers the whole exchange, body included; 0 means none.
  const startedAt = performance.now();
  const timeout = new AbortController();
  const timeoutMs = request.timeout_milliseconds;
  const timer = timeoutMs > 0 ? setTimeout(() => timeout.abort(), timeoutMs) : undefined;
  try {
    const headers = new Headers(request.headers);
    if (!headers.has("user-agent")) headers.set("user-agent", USER_AGENT);
    const response = await fetch(url, {
      method: request.method.toUpperCase(),
      headers,
      body: request.body && new Uint8Array(request.body),
      redirect: "follow",
      signal: AbortSignal.any([timeout.signal, stop]),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    // Postgres text cannot hold NUL; pg_net's C string ends at the first one too.
    const content = new TextDecoder().decode(bytes).split("\0", 1)[0];
    return {
      id: request.id,
      status_code: response.status,
      content_type: response.headers.get("content-type"),
      headers: Object.fromEntries(response.headers),
      content: content === "" ? null : content,
      timed_out: false,
      error_msg: null,
    };
  } catch (error) {
    if (timeout.signal.aborted) {
      const totalMs = (performance.now() - startedAt).toFixed(6);
      return failure(`Timeout of ${timeoutMs} ms reached. Total time: ${totalMs} ms`, true);
    }
    if (stop.aborted) return failure("Request aborted: the pg_net worker stopped");
    return failure(curlStyleMessage(error));
  } finally {
    clearTimeout(timer);
  }
}

/** libcurl's wording for the usual network failures, so error_msg reads as with pg_net. */
function curlStyleMessage(error: unknown): string {
  // fetch throws "fetch failed" and puts what happened in the cause.
  const details = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = details instanceof Error ? details.message : String(details);
  if (/dns error|failed to lookup address/i.test(message)) return "Couldn't resolve host name";
  if (/tcp connect error|connection refused/i.test(message)) return "Couldn't connect to server";
  if (/certificate|tls|ssl|corrupt message/i.test(message)) return "SSL connect error";
  return message;
}
