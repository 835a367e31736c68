// The request pipeline every Edge Function shares: CORS, method, body size, caller
// authentication, rate limit, JSON parsing and validation, then the function's own logic.
// Errors anywhere become 4xx JSON with CORS headers; nothing reaches the caller as a stack trace.

import type { z } from "./deps.ts";
import {
  DEFAULT_MAX_BODY_BYTES,
  parseJson,
  readRawBody,
  requireJsonContentType,
  validate,
} from "./body.ts";
import { authenticate, type Caller, callerKey } from "./caller.ts";
import { corsHeaders, preflightResponse } from "./cors.ts";
import { database, type Sql } from "./db.ts";
import { errorResponse, HttpError, jsonResponse } from "./http.ts";
import { enforceRateLimit } from "./rate_limit.ts";
import { verifyWebhookCaller } from "./webhook_auth.ts";

/** How a function authenticates its callers. */
export type CallerRule =
  /** `x-webhook-secret` (and optional HMAC signature): the old backend's webhooks and pg_net. */
  | "webhook"
  /** A signed-in user or the service role (Authorization bearer token). */
  | "user_or_service";

export interface EndpointContext<Body> {
  request: Request;
  body: Body;
  caller: Caller;
  sql: Sql;
}

export interface EndpointOptions<Schema extends z.ZodType | undefined> {
  /** The function's name: rate-limit bucket and log prefix. */
  name: string;
  method: "GET" | "POST";
  callers: CallerRule;
  /** Schema of the JSON body (POST only). */
  body?: Schema;
  maxBodyBytes?: number;
  handle(
    context: EndpointContext<Schema extends z.ZodType ? z.infer<Schema> : undefined>,
  ): Promise<Response>;
}

export function createEndpoint<Schema extends z.ZodType | undefined>(
  options: EndpointOptions<Schema>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method === "OPTIONS") return preflightResponse(request);
    const cors = corsHeaders(request);
    try {
      if (request.method !== options.method) {
        throw new HttpError(405, "method_not_allowed", `Use ${options.method}.`, undefined, {
          allow: `${options.method}, OPTIONS`,
        });
      }
      const sql = database();
      const rawBody = options.method === "POST"
        ? await readRawBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
        : "";
      const caller = await authenticateOrCount(request, rawBody, options, sql);
      await enforceRateLimit(sql, options.name, callerKey(caller, request));
      let body: unknown = undefined;
      if (options.body) {
        requireJsonContentType(request);
        body = validate(options.body, parseJson(rawBody));
      }
      const response = await options.handle({
        request,
        body: body as Schema extends z.ZodType ? z.infer<Schema> : undefined,
        caller,
        sql,
      });
      for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
      return response;
    } catch (error) {
      return errorResponse(error, cors);
    }
  };
}

/**
 * Authenticates the caller. A refused caller still spends from the budget of its address, so
 * guessing secrets or tokens is rate limited too.
 */
async function authenticateOrCount(
  request: Request,
  rawBody: string,
  options: EndpointOptions<z.ZodType | undefined>,
  sql: Sql,
): Promise<Caller> {
  try {
    if (options.callers === "webhook") {
      await verifyWebhookCaller(request, rawBody);
      return { kind: "webhook" };
    }
    return await authenticate(request, sql);
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      await enforceRateLimit(sql, options.name, callerKey(null, request));
    }
    throw error;
  }
}

/** The old backend's immediate answer: 202 with a processing id, the work happens later. */
export function accepted(body: Record<string, unknown>): Response {
  return jsonResponse(202, { success: true, ...body });
}
