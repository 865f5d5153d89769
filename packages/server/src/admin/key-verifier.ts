import type { VerifyOutcome } from "../verify/verify-outcome.ts";

export type { VerifyOutcome };

/**
 * What the admin port needs from key verification (`POST /v1/verify` and
 * `POST /v1/self/rotate`): the node's verifier, adapted by the composition
 * root. Verifies a presented secret (undefined when none was sent) against the
 * required scopes, charging `cost` against the consumer's quota when given.
 * MUST answer every input with an outcome (an invalid key is a result, not an
 * exception) and never echo the secret.
 */
export type KeyVerifyFunction = (
  secret: string | undefined,
  scopes: readonly string[],
  cost?: number,
) => VerifyOutcome | Promise<VerifyOutcome>;
