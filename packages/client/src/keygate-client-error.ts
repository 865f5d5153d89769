/** Stable codes of errors the SDK itself raises (HTTP errors are responses, not exceptions). */
export type KeygateClientErrorCode =
  | "NO_KEY"
  | "CROSS_ORIGIN"
  | "ROTATION_FAILED"
  | "ROTATION_NOT_SAVED"
  | "LOCK_TIMEOUT"
  | "STORE_FAILED";

/** An SDK error. Its message never contains a secret, only hints. */
export class KeygateClientError extends Error {
  override readonly name = "KeygateClientError";

  constructor(
    readonly code: KeygateClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
