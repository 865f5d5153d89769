import type { VerifyOutcome } from "../verify/verify-outcome.ts";

export type { VerifyOutcome };

/**
 * What the admin port needs from key verification (`POST /v1/verify` and
 * `POST /v1/self/rotate`): the node's verifier, adapted by the composition
 * root. Verifies a presented secret (undefined when none was sent) against the
 * required scopes, from `clientIp` (checked against the key's IP allowlist;
 * undefined: unknown, which an allowlisted key refuses). MUST answer every
 * input with an outcome (an invalid key is a result, not an exception) and
 * never echo the secret.
 */
export type KeyVerifyFunction = (
  secret: string | undefined,
  scopes: readonly string[],
  clientIp?: string,
) => VerifyOutcome | Promise<VerifyOutcome>;
