/**
 * Whether a request can be sent a second time with identical bytes. fetch
 * re-serializes these on every call; a stream (ReadableStream, an async
 * iterable, a `Request` with a body) is consumed by the first attempt, and
 * buffering it just in case would hold whole uploads in memory.
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body === "string") return true;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  if (body instanceof URLSearchParams) return true;
  if (typeof Blob !== "undefined" && body instanceof Blob) return true;
  // FormData is re-encoded from its entries (strings and Blobs) on every send.
  if (typeof FormData !== "undefined" && body instanceof FormData) return true;
  return false;
}

/** Whether a `client.fetch(input, init)` call can be retried: its body, or the body of a `Request` input. */
export function isReplayableRequest(input: RequestInfo | URL, init: RequestInit | undefined): boolean {
  if (init?.body !== undefined) return isReplayableBody(init.body);
  if (typeof Request !== "undefined" && input instanceof Request) return input.body === null;
  return true;
}
