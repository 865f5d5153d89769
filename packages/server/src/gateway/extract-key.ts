import type { IncomingHttpHeaders } from "node:http";

/** Where the key came from, so exactly those headers are stripped before forwarding. */
export interface ExtractedKey {
  /** The secret, undefined when none was sent. */
  readonly secret: string | undefined;
  /** Both carriers were present with different values. */
  readonly conflict: boolean;
  readonly fromApiKey: boolean;
  readonly fromAuthorization: boolean;
}

const NONE: ExtractedKey = Object.freeze({
  secret: undefined,
  conflict: false,
  fromApiKey: false,
  fromAuthorization: false,
});

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), else undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length < 8) return undefined;
  const scheme = authorization.slice(0, 7);
  if (scheme !== "Bearer " && scheme.toLowerCase() !== "bearer ") return undefined;
  const token = authorization.slice(7).trim();
  return token.length === 0 ? undefined : token;
}

/**
 * The consumer's key from `x-api-key` or `Authorization: Bearer`. Another
 * `Authorization` scheme (e.g. Basic for the upstream) is not a key and is
 * left alone. Both carriers with different values is a conflict
 * (KEY_MALFORMED): guessing which one was meant could authorize the wrong
 * consumer.
 */
export function extractKey(headers: IncomingHttpHeaders): ExtractedKey {
  const apiKey = headers["x-api-key"];
  const fromHeader = typeof apiKey === "string" && apiKey.length > 0 ? apiKey : undefined;
  const fromBearer = bearerToken(headers.authorization);
  if (fromHeader === undefined && fromBearer === undefined) return NONE;
  if (fromHeader !== undefined && fromBearer !== undefined && fromHeader !== fromBearer) {
    return { secret: undefined, conflict: true, fromApiKey: true, fromAuthorization: true };
  }
  return {
    secret: fromHeader ?? fromBearer,
    conflict: false,
    fromApiKey: fromHeader !== undefined,
    fromAuthorization: fromBearer !== undefined,
  };
}
