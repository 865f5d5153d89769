import type { LimitPolicy } from "./limit-policies.ts";
import { secondsUntil } from "./window-bounds.ts";

/** Where a consumer stands under one policy after a decision. */
export interface PolicyState {
  readonly policy: LimitPolicy;
  /** Units still available to the consumer in the policy's window (0…limit). */
  readonly remaining: number;
}

/** The limiter's verdict on one request: a union discriminated by `type`. */
export type LimitVerdict =
  | { readonly type: "unlimited" }
  | { readonly type: "allow"; readonly states: readonly PolicyState[] }
  | {
      readonly type: "deny";
      readonly code: "RATE_LIMITED" | "QUOTA_EXCEEDED";
      /** Until the violated policy's window ends: a retry before then is refused again. */
      readonly retryAfterSeconds: number;
      readonly violated: LimitPolicy;
      readonly states: readonly PolicyState[];
    };

/** A refusal by `violated`: a quota is `QUOTA_EXCEEDED`, a rate limit `RATE_LIMITED`. */
export function denyVerdict(
  violated: LimitPolicy,
  states: readonly PolicyState[],
  now: number,
): LimitVerdict {
  return {
    type: "deny",
    code: violated.kind === "quota" ? "QUOTA_EXCEEDED" : "RATE_LIMITED",
    retryAfterSeconds: Math.max(1, secondsUntil(violated.bounds.end, now)),
    violated,
    states,
  };
}

/** Clamps a computed remainder into `[0, limit]`. */
export function remainingOf(limit: number, sharedUsed: number, heldUnits: number): number {
  return Math.min(limit, Math.max(0, limit - sharedUsed + heldUnits));
}
