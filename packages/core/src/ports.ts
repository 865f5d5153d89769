/**
 * Ports the domain needs from the outside world. `core` never reads the clock,
 * randomness or the environment directly; adapters in `keygate` (server)
 * provide these.
 */

/** Source of the current time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. MUST be cheap: it is read on every verification. */
  now(): number;
}

/** Source of cryptographically secure randomness. */
export interface Random {
  /** MUST return `length` bytes from a CSPRNG (the OS's in production). */
  bytes(length: number): Uint8Array;
}

/** One-shot SHA-256. */
export interface Hasher {
  /** MUST return the lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
  sha256Hex(text: string): string;
  /**
   * Optional fast path for the verification cache: the same digest as 32
   * latin1 characters (one per byte, char code = byte value), which the cache
   * reads without hex decoding. When present it MUST agree with `sha256Hex`.
   */
  sha256Latin1?(text: string): string;
}
