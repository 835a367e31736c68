// JSON responses and the error type every function throws for a 4xx answer.

/** An error whose message is safe to show the caller. Anything else becomes a generic 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: HeadersInit = {},
): Response {
  const merged = new Headers(headers);
  merged.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers: merged });
}

/** Turns any thrown value into a JSON answer that never leaks SQL, stacks or secrets. */
export function errorResponse(error: unknown, headers: HeadersInit = {}): Response {
  if (error instanceof HttpError) {
    const merged = new Headers(headers);
    for (const [name, value] of Object.entries(error.headers)) merged.set(name, value);
    return jsonResponse(error.status, {
      error: { code: error.code, message: error.message, details: error.details },
    }, merged);
  }
  // Logged for operators with its message only; the caller gets no internals.
  console.error("unexpected error:", error instanceof Error ? error.message : String(error));
  return jsonResponse(500, {
    error: { code: "internal_error", message: "Internal error; it has been logged." },
  }, headers);
}
