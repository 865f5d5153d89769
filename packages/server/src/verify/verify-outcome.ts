import type { VerifyFailureCode } from "@keygate/core";

export type VerifyCode = "VALID" | VerifyFailureCode;

/**
 * The answer to "may this secret make this request?". A failed verification
 * is a result, not an exception. Every outcome has the same shape (absent
 * fields are `undefined`), so the hot path reads them monomorphically.
 * Failures found after the key was identified (expired, revoked, disabled,
 * scope) carry `keyId` and `consumerId` for usage and logs.
 */
export interface VerifyOutcome {
  readonly valid: boolean;
  readonly code: VerifyCode;
  readonly keyId?: string | undefined;
  readonly consumerId?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
  /** The consumer's plan name. */
  readonly plan?: string | null | undefined;
  readonly deprecatedAt?: number | null | undefined;
  readonly sunsetAt?: number | null | undefined;
  /** True when responses must carry `Deprecation` (and `Sunset` when set). */
  readonly signalDeprecation?: boolean | undefined;
}

export function validOutcome(
  keyId: string,
  consumerId: string,
  scopes: readonly string[],
  plan: string | null,
  deprecatedAt: number | null,
  sunsetAt: number | null,
  signalDeprecation: boolean,
): VerifyOutcome {
  return {
    valid: true,
    code: "VALID",
    keyId,
    consumerId,
    scopes,
    plan,
    deprecatedAt,
    sunsetAt,
    signalDeprecation,
  };
}

export function failureOutcome(
  code: VerifyFailureCode,
  keyId: string | undefined,
  consumerId: string | undefined,
): VerifyOutcome {
  return {
    valid: false,
    code,
    keyId,
    consumerId,
    scopes: undefined,
    plan: undefined,
    deprecatedAt: undefined,
    sunsetAt: undefined,
    signalDeprecation: undefined,
  };
}

/** Shared, frozen answers for failures that know no key. */
export const KEY_MISSING_OUTCOME: VerifyOutcome = Object.freeze(
  failureOutcome("KEY_MISSING", undefined, undefined),
);
export const KEY_MALFORMED_OUTCOME: VerifyOutcome = Object.freeze(
  failureOutcome("KEY_MALFORMED", undefined, undefined),
);
export const KEY_NOT_FOUND_OUTCOME: VerifyOutcome = Object.freeze(
  failureOutcome("KEY_NOT_FOUND", undefined, undefined),
);
export const STORE_UNAVAILABLE_OUTCOME: VerifyOutcome = Object.freeze(
  failureOutcome("STORE_UNAVAILABLE", undefined, undefined),
);
