// Phoenix channel frames as realtime-js speaks them.
//
// Serializer 1.0.0: every frame is a JSON object {topic, event, payload, ref, join_ref}.
// Serializer 2.0.0: text frames are JSON arrays [join_ref, ref, topic, event, payload]; user
// broadcasts travel as binary frames (realtime-js lib/serializer.ts, Realtime's V2Serializer):
//   client → server, kind 3 "user broadcast push":
//     kind, join_ref size, ref size, topic size, event size, metadata size, encoding (0 binary, 1 JSON),
//     join_ref, ref, topic, event, metadata, payload
//   server → client, kind 4 "user broadcast":
//     kind, topic size, event size, metadata size, encoding, topic, event, metadata, payload

export type SerializerVersion = "1.0.0" | "2.0.0";

export const SERIALIZER_VERSIONS: readonly SerializerVersion[] = ["1.0.0", "2.0.0"];

export interface PhoenixMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/**
 * A broadcast whose user payload is kept as raw bytes: what the binary frames carry and what
 * database broadcasts are (Realtime's `UserBroadcast`).
 */
export class UserBroadcast {
  constructor(
    readonly event: string,
    readonly encoding: "json" | "binary",
    readonly body: Uint8Array,
    readonly meta: Record<string, unknown> | null = null,
  ) {}

  static fromJson(event: string, payload: unknown, meta: Record<string, unknown> | null = null) {
    return new UserBroadcast(event, "json", encoder.encode(JSON.stringify(payload)), meta);
  }
}

/**
 * What channels pass to each other: a JSON broadcast payload ({type, event, payload, …}, as a
 * text frame sent it) or a user broadcast.
 */
export type BroadcastMessage = Record<string, unknown> | UserBroadcast;

export class ProtocolError extends Error {}

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const BINARY_ENCODING = 0;
const JSON_ENCODING = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function optionalString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

/** Decodes a frame from the client. Throws ProtocolError on anything malformed. */
export function decodeFrame(
  data: string | ArrayBuffer,
  version: SerializerVersion,
): PhoenixMessage {
  if (typeof data !== "string") return decodeUserBroadcastPush(new Uint8Array(data));
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new ProtocolError("frame is not JSON");
  }
  if (version === "2.0.0") {
    if (!Array.isArray(parsed) || parsed.length < 5) {
      throw new ProtocolError("expected a [join_ref, ref, topic, event, payload] array");
    }
    const [joinRef, ref, topic, event, payload] = parsed;
    if (typeof topic !== "string" || typeof event !== "string") {
      throw new ProtocolError("topic and event must be strings");
    }
    return { joinRef: optionalString(joinRef), ref: optionalString(ref), topic, event, payload };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError("expected a {topic, event, payload, ref} object");
  }
  const message = parsed as Record<string, unknown>;
  if (typeof message.topic !== "string" || typeof message.event !== "string") {
    throw new ProtocolError("topic and event must be strings");
  }
  return {
    joinRef: optionalString(message.join_ref),
    ref: optionalString(message.ref),
    topic: message.topic,
    event: message.event,
    payload: message.payload,
  };
}

function decodeUserBroadcastPush(bytes: Uint8Array): PhoenixMessage {
  const headerLength = 7;
  if (bytes.length < headerLength || bytes[0] !== USER_BROADCAST_PUSH) {
    throw new ProtocolError("unsupported binary frame");
  }
  const sizes = Array.from(bytes.subarray(1, 6));
  const encoding = bytes[6];
  let offset = headerLength;
  const [joinRef, ref, topic, event, metadata] = sizes.map((size) => {
    if (offset + size > bytes.length) throw new ProtocolError("truncated binary frame");
    const text = decoder.decode(bytes.subarray(offset, offset + size));
    offset += size;
    return text;
  });
  const body = bytes.slice(offset);
  if (metadata !== "") {
    try {
      JSON.parse(metadata);
    } catch {
      throw new ProtocolError("binary frame metadata is not JSON");
    }
  }
  // Realtime reads the metadata but does not use it yet; neither do we.
  const broadcast = new UserBroadcast(
    event,
    encoding === BINARY_ENCODING ? "binary" : "json",
    body,
  );
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: "broadcast",
    payload: broadcast,
  };
}

/** Encodes a pushed message or reply for the client. */
export function encodeMessage(message: PhoenixMessage, version: SerializerVersion): string {
  if (version === "2.0.0") {
    return JSON.stringify([
      message.joinRef,
      message.ref,
      message.topic,
      message.event,
      message.payload,
    ]);
  }
  // Serializer 1.0.0 frames carry no join_ref.
  return JSON.stringify({
    topic: message.topic,
    event: message.event,
    payload: message.payload,
    ref: message.ref,
  });
}

export function encodeReply(
  request: PhoenixMessage,
  status: "ok" | "error",
  response: Record<string, unknown>,
  version: SerializerVersion,
): string {
  return encodeMessage({
    joinRef: request.joinRef,
    ref: request.ref,
    topic: request.topic,
    event: "phx_reply",
    payload: { status, response },
  }, version);
}

/**
 * Encodes a broadcast for a subscriber of `topic`, or returns null when the serializer cannot
 * carry it (a binary payload on 1.0.0, which Realtime drops too).
 */
export function encodeBroadcast(
  topic: string,
  broadcast: BroadcastMessage,
  version: SerializerVersion,
): string | Uint8Array | null {
  if (!(broadcast instanceof UserBroadcast)) {
    return encodeMessage({
      joinRef: null,
      ref: null,
      topic,
      event: "broadcast",
      payload: broadcast,
    }, version);
  }
  if (version === "1.0.0") {
    if (broadcast.encoding === "binary") return null;
    let userPayload: unknown;
    try {
      userPayload = JSON.parse(decoder.decode(broadcast.body));
    } catch {
      return null;
    }
    const payload: Record<string, unknown> = {
      event: broadcast.event,
      payload: userPayload,
      type: "broadcast",
    };
    if (broadcast.meta) payload.meta = broadcast.meta;
    return encodeMessage({ joinRef: null, ref: null, topic, event: "broadcast", payload }, version);
  }
  const topicBytes = encoder.encode(topic);
  const eventBytes = encoder.encode(broadcast.event);
  const metaBytes = encoder.encode(broadcast.meta ? JSON.stringify(broadcast.meta) : "");
  for (const part of [topicBytes, eventBytes, metaBytes]) {
    if (part.length > 255) return null;
  }
  const frame = new Uint8Array(
    5 + topicBytes.length + eventBytes.length + metaBytes.length + broadcast.body.length,
  );
  frame.set([
    USER_BROADCAST,
    topicBytes.length,
    eventBytes.length,
    metaBytes.length,
    broadcast.encoding === "binary" ? BINARY_ENCODING : JSON_ENCODING,
  ]);
  let offset = 5;
  for (const part of [topicBytes, eventBytes, metaBytes, broadcast.body]) {
    frame.set(part, offset);
    offset += part.length;
  }
  return frame;
}
