import type { IncomingHttpHeaders } from "node:http";

/** Longest credential looked up at all: anything longer is refused without touching a store. */
export const MAX_CREDENTIAL_LENGTH = 512;

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = BEARER.exec(authorization);
  return match?.[1];
}

export type ConsumerCredential =
  | { readonly type: "secret"; readonly secret: string }
  | { readonly type: "missing" }
  /** Two different keys in `x-api-key` and `Authorization`: refused rather than guessing which one counts. */
  | { readonly type: "ambiguous" };

/** A consumer's key from `x-api-key` or `Authorization: Bearer`, as the gateway accepts it. */
export function consumerCredential(headers: IncomingHttpHeaders): ConsumerCredential {
  const header = headers["x-api-key"];
  const apiKey = typeof header === "string" && header.trim() !== "" ? header.trim() : undefined;
  const bearer = bearerToken(headers.authorization);
  if (apiKey !== undefined && bearer !== undefined && apiKey !== bearer) return { type: "ambiguous" };
  const secret = apiKey ?? bearer;
  return secret === undefined ? { type: "missing" } : { type: "secret", secret };
}
