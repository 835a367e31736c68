// A promise resolved from a callback (a Realtime listener, say), failing after a deadline. Kept
// apart from platform.ts so that tests which start their own servers need not import that.

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

/** A promise settled by calling `resolve`, or rejected once `timeoutMs` has passed. */
export function deferred<T>(what: string, timeoutMs = 5_000): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), timeoutMs);
    resolve = (value) => {
      clearTimeout(timer);
      res(value);
    };
  });
  // A deadline that passes after its test already failed must not fail the whole run.
  promise.catch(() => {});
  return { promise, resolve };
}
