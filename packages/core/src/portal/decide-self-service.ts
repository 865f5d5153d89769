import type { FieldError } from "../errors.ts";
import { effectiveStatus } from "../keys/verify-key.ts";
import type { KeyRecord, Plan } from "../model.ts";

/** What a consumer may do to its own keys, by the provider's settings. */
export interface SelfServicePolicy {
  /** Active or deprecated keys a consumer may hold; creating one more is refused. */
  readonly maxKeysPerConsumer: number;
  /** Longest overlap a consumer may give its own rotation. */
  readonly maxOverlapSeconds: number;
  /** Every scope the configured routes name: a plan without its own list allows these. */
  readonly routedScopes: readonly string[];
}

export type SelfServiceDecision =
  | { readonly type: "allow" }
  | {
      readonly type: "reject";
      readonly code: "VALIDATION_FAILED" | "KEY_LIMIT_REACHED";
      readonly detail: string;
      readonly errors?: readonly FieldError[];
    };

const ALLOW: SelfServiceDecision = { type: "allow" };

/** The scopes a consumer on `plan` may put on keys it makes itself: the plan's list, else every routed scope. */
export function selfServiceScopes(plan: Plan | null, policy: SelfServicePolicy): readonly string[] {
  return [...new Set(plan?.scopes ?? policy.routedScopes)].sort();
}

/** Keys that count against `maxKeysPerConsumer`: the ones that still work. */
export function liveKeyCount(keys: readonly KeyRecord[], now: number): number {
  let count = 0;
  for (const key of keys) {
    const status = effectiveStatus(key, now);
    if (status === "active" || status === "deprecated") count++;
  }
  return count;
}

/** May the consumer create a key with `scopes`, holding `live` working keys? */
export function decideSelfServiceKey(input: {
  readonly scopes: readonly string[];
  readonly allowed: readonly string[];
  readonly live: number;
  readonly policy: SelfServicePolicy;
}): SelfServiceDecision {
  const outside = input.scopes.filter((scope) => !input.allowed.includes(scope));
  if (outside.length > 0) {
    return {
      type: "reject",
      code: "VALIDATION_FAILED",
      detail: `scope${outside.length === 1 ? "" : "s"} ${outside.join(", ")} ${outside.length === 1 ? "is" : "are"} not part of your plan`,
      errors: outside.map((scope) => ({
        path: "/body/scopes",
        message: `"${scope}" is not allowed on your plan (allowed: ${input.allowed.join(", ") || "none"})`,
      })),
    };
  }
  if (input.live >= input.policy.maxKeysPerConsumer) {
    return {
      type: "reject",
      code: "KEY_LIMIT_REACHED",
      detail: `you already hold ${input.live} working keys, the most allowed (${input.policy.maxKeysPerConsumer}); revoke one first`,
    };
  }
  return ALLOW;
}

/** May the consumer rotate with this overlap? */
export function decideSelfServiceOverlap(
  overlapSeconds: number,
  policy: SelfServicePolicy,
): SelfServiceDecision {
  if (overlapSeconds <= policy.maxOverlapSeconds) return ALLOW;
  return {
    type: "reject",
    code: "VALIDATION_FAILED",
    detail: `overlapSeconds may be at most ${policy.maxOverlapSeconds}`,
    errors: [{ path: "/body/overlapSeconds", message: `must be at most ${policy.maxOverlapSeconds}` }],
  };
}
