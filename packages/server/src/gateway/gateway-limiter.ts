import type { VerifyOutcome } from "../verify/verify-outcome.ts";

/** A limiter's verdict. `headers` (e.g. `RateLimit-Policy`, `RateLimit`) go on the response either way. */
export type LimitDecision =
  | { readonly allowed: true; readonly headers?: Readonly<Record<string, string>> | undefined }
  | {
      readonly allowed: false;
      readonly code: "RATE_LIMITED" | "QUOTA_EXCEEDED";
      /** Sent as `Retry-After`. */
      readonly retryAfterSeconds: number;
      readonly headers?: Readonly<Record<string, string>> | undefined;
      /** Secret-free explanation for the problem body. */
      readonly detail?: string | undefined;
    };

/**
 * Extension point for rate limits and quotas, called once per request after
 * a VALID verification with the route's cost. May answer synchronously. If
 * it throws or rejects, the gateway logs the error and lets the request
 * through: a broken limiter must not take the API down.
 */
export interface GatewayLimiter {
  check(outcome: VerifyOutcome, cost: number, now: number): LimitDecision | Promise<LimitDecision>;
}
