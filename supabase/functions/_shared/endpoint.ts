// The request pipeline every Edge Function shares: CORS, method, body size, caller
// authentication, rate limit, JSON parsing and validation, then the function's own logic.
// Errors anywhere become 4xx JSON with CORS headers; nothing reaches the caller as a stack trace.
// An endpoint is defined once and made into a request handler with its dependencies (settings and
// database): index.ts gives it the platform's, tests give it their own.

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
import { errorResponse, HttpError, jsonResponse } from "./http.ts";
import type { FunctionDeps } from "./platform.ts";
import { enforceRateLimit } from "./rate_limit.ts";
import { verifyWebhookCaller } from "./webhook_auth.ts";

/** How a function authenticates its callers. */
export type CallerRule =
  /** `x-webhook-secret` (and optional HMAC signature): the old backend's webhooks and pg_net. */
  | "webhook"
  /** A signed-in user or the service role (Authorization bearer token). */
  | "user_or_service";

export interface EndpointContext<Body> extends FunctionDeps {
  request: Request;
  body: Body;
  caller: Caller;
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

/** Handles the requests of one function with the dependencies it was given. */
export type RequestHandler = (request: Request) => Promise<Response>;

export function defineEndpoint<Schema extends z.ZodType | undefined>(
  options: EndpointOptions<Schema>,
): (deps: FunctionDeps) => RequestHandler {
  return (deps) => async (request) => {
    if (request.method === "OPTIONS") return preflightResponse(request, deps.env);
    const cors = corsHeaders(request, deps.env);
    try {
      if (request.method !== options.method) {
        throw new HttpError(405, "method_not_allowed", `Use ${options.method}.`, undefined, {
          allow: `${options.method}, OPTIONS`,
        });
      }
      const rawBody = options.method === "POST"
        ? await readRawBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
        : "";
      const caller = await authenticateOrCount(request, rawBody, options, deps);
      await enforceRateLimit(deps, options.name, callerKey(caller, request));
      let body: unknown = undefined;
      if (options.body) {
        requireJsonContentType(request);
        body = validate(options.body, parseJson(rawBody));
      }
      const response = await options.handle({
        request,
        body: body as Schema extends z.ZodType ? z.infer<Schema> : undefined,
        caller,
        ...deps,
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
  deps: FunctionDeps,
): Promise<Caller> {
  try {
    if (options.callers === "webhook") {
      await verifyWebhookCaller(request, rawBody, deps.env);
      return { kind: "webhook" };
    }
    return await authenticate(request, deps);
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      await enforceRateLimit(deps, options.name, callerKey(null, request));
    }
    throw error;
  }
}

/** A webhook of the old backend's contract: POST, JSON body, `x-webhook-secret` callers. */
export function defineWebhook<Schema extends z.ZodType>(
  name: string,
  body: Schema,
  handle: EndpointOptions<Schema>["handle"],
): (deps: FunctionDeps) => RequestHandler {
  return defineEndpoint({ name, method: "POST", callers: "webhook", body, handle });
}

/** The old backend's immediate answer: 202 with a processing id, the work happens later. */
export function accepted(body: Record<string, unknown>): Response {
  return jsonResponse(202, { success: true, ...body });
}
