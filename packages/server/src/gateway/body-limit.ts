import { Transform, type TransformCallback } from "node:stream";

/** Raised while streaming a body without `content-length` once it passes the limit. */
export class BodyTooLargeError extends Error {
  readonly code = "KEYGATE_BODY_TOO_LARGE";

  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Passes a chunked body through while counting it; errors once it passes
 * `limit`. Bodies with `content-length` are checked before forwarding and
 * never go through here.
 */
export class BodyLimit extends Transform {
  readonly #limit: number;
  #seen = 0;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#limit) callback(new BodyTooLargeError(this.#limit));
    else callback(null, chunk);
  }
}
