// Realtime's REST broadcast endpoints:
//   POST /api/broadcast                        {messages: [{topic, event, payload, private?, id?}]}
//   POST /api/broadcast/:topic/events/:event   body = payload (JSON or application/octet-stream),
//                                              ?private=true
// Both authenticate with `Authorization: Bearer <jwt>` or the `apikey` header and answer 202.
// Private messages need the caller's RLS write access to the topic: the batch endpoint drops
// the ones refused (still 202), the single one answers 403.

import type { JwtClaims } from "../platform/jwt.ts";
import { AuthorizationError, authorizeWrite } from "./authorization.ts";
import type { RealtimeContext } from "./connection.ts";
import { hubTopic } from "./hub.ts";
import { UserBroadcast } from "./protocol.ts";
import { apiKeyToJwt, checkAccessToken } from "./tokens.ts";

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
  "access-control-allow-methods": "POST, OPTIONS",
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...CORS_HEADERS },
  });
}

const accepted = () => new Response(null, { status: 202, headers: CORS_HEADERS });
const unauthorized = () => json(401, { message: "Unauthorized" });

/** The `x-…` request headers, which RLS policies see as `request.headers`. */
export function xHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => name.startsWith("x-")));
}

async function authenticate(request: Request, context: RealtimeContext): Promise<JwtClaims | null> {
  const bearer = request.headers.get("authorization")?.match(/^bearer\s+(\S+)$/i)?.[1];
  const presented = bearer ?? request.headers.get("apikey");
  if (!presented) return null;
  const token = apiKeyToJwt(presented, context.keys);
  if (!token) return null;
  const check = await checkAccessToken(token, context.keys.jwtSecret);
  return check.ok ? check.claims : null;
}

async function mayBroadcast(
  context: RealtimeContext,
  request: Request,
  claims: JwtClaims,
  topic: string,
): Promise<boolean> {
  const grants = await authorizeWrite(context.sql, {
    topic,
    claims,
    headers: xHeaders(request.headers),
  }, ["broadcast", "presence"]);
  return grants.broadcast === true;
}

interface BatchMessage {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  private: boolean;
  id?: string;
}

/** Validates the batch as Realtime's changeset does; returns the messages or the errors. */
function validateBatch(body: unknown): { messages: BatchMessage[] } | { errors: unknown } {
  const raw = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(raw) || raw.length === 0) {
    return { errors: { messages: [Array.isArray(raw) ? "can't be blank" : "is invalid"] } };
  }
  const messages: BatchMessage[] = [];
  const errors: Record<string, string[]>[] = [];
  for (const item of raw) {
    const message = typeof item === "object" && item !== null ? item : {};
    const fieldErrors: Record<string, string[]> = {};
    for (const field of ["topic", "event"] as const) {
      const value = message[field];
      if (value === undefined || value === null || value === "") {
        fieldErrors[field] = ["can't be blank"];
      } else if (typeof value !== "string") fieldErrors[field] = ["is invalid"];
    }
    const { payload } = message;
    if (payload === undefined || payload === null) fieldErrors.payload = ["can't be blank"];
    else if (typeof payload !== "object" || Array.isArray(payload)) {
      fieldErrors.payload = ["is invalid"];
    }
    const isPrivate = message.private ?? false;
    if (typeof isPrivate !== "boolean") fieldErrors.private = ["is invalid"];
    if (message.id !== undefined && typeof message.id !== "string") fieldErrors.id = ["is invalid"];
    errors.push(fieldErrors);
    messages.push({ ...message, private: isPrivate });
  }
  if (errors.some((fieldErrors) => Object.keys(fieldErrors).length > 0)) {
    return { errors: { messages: errors } };
  }
  return { messages };
}

async function broadcastBatch(request: Request, context: RealtimeContext): Promise<Response> {
  const claims = await authenticate(request, context);
  if (!claims) return unauthorized();
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return json(400, { message: "Request body is not valid JSON" });
  }
  const validation = validateBatch(body);
  if ("errors" in validation) return json(422, { errors: validation.errors });

  const allowedPrivateTopics = new Map<string, boolean>();
  for (const message of validation.messages) {
    if (message.private && !allowedPrivateTopics.has(message.topic)) {
      let allowed = false;
      try {
        allowed = await mayBroadcast(context, request, claims, message.topic);
      } catch (error) {
        if (!(error instanceof AuthorizationError)) throw error;
        context.log(`REST broadcast authorization for ${message.topic} failed: ${error.message}`);
      }
      allowedPrivateTopics.set(message.topic, allowed);
    }
  }
  for (const message of validation.messages) {
    if (message.private && !allowedPrivateTopics.get(message.topic)) continue;
    const payload: Record<string, unknown> = {
      payload: message.payload,
      event: message.event,
      type: "broadcast",
    };
    if (message.id !== undefined) payload.meta = { id: message.id };
    context.hub.broadcast(hubTopic(message.topic, message.private), payload);
  }
  return accepted();
}

async function broadcastSingle(
  request: Request,
  context: RealtimeContext,
  topic: string,
  event: string,
): Promise<Response> {
  const claims = await authenticate(request, context);
  if (!claims) return unauthorized();
  const contentType = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  let broadcast: UserBroadcast;
  if (contentType === "application/octet-stream") {
    broadcast = new UserBroadcast(event, "binary", new Uint8Array(await request.arrayBuffer()));
  } else if (contentType === "application/json") {
    let payload: unknown;
    try {
      payload = await request.json();
    } catch {
      return json(400, { message: "Request body is not valid JSON" });
    }
    if (payload === null) return json(422, { errors: { payload: ["can't be blank"] } });
    broadcast = UserBroadcast.fromJson(event, payload);
  } else {
    return json(415, {
      message: "Content-Type must be application/json or application/octet-stream",
    });
  }

  const isPrivate = new URL(request.url).searchParams.get("private") === "true";
  if (isPrivate) {
    try {
      if (!(await mayBroadcast(context, request, claims, topic))) {
        return json(403, { message: "Unauthorized" });
      }
    } catch (error) {
      if (!(error instanceof AuthorizationError)) throw error;
      context.log(`REST broadcast authorization for ${topic} failed: ${error.message}`);
      const message = {
        rls_policy_error: "RLS policy error",
        missing_partition: "Missing messages partition",
        database_unavailable: "Tenant database unavailable",
      }[error.kind];
      return json(422, { message });
    }
  }
  context.hub.broadcast(hubTopic(topic, isPrivate), broadcast);
  return accepted();
}

/** Handles `/api/broadcast…` (path relative to /realtime/v1); null when the path is not one. */
export function handleBroadcastApi(
  request: Request,
  path: string,
  context: RealtimeContext,
): Promise<Response> | Response | null {
  const single = path.match(/^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/);
  if (path !== "/api/broadcast" && !single) return null;
  if (request.method === "OPTIONS") {
    return new Response(null, { status: 204, headers: CORS_HEADERS });
  }
  if (request.method !== "POST") return json(405, { message: "Method not allowed" });
  if (!single) return broadcastBatch(request, context);
  return broadcastSingle(
    request,
    context,
    decodeURIComponent(single[1]),
    decodeURIComponent(single[2]),
  );
}
