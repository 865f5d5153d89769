import type { Plan } from "../model.ts";
import { type Bounds, quotaPeriod, rateWindow } from "./window-bounds.ts";

/**
 * One limit of a plan in force at a moment: the plan's rate limit in its
 * current window, or its quota in its current period.
 */
export interface LimitPolicy {
  readonly kind: "rate" | "quota";
  /** Policy name in `RateLimit-Policy` / `RateLimit` (`"minute"`, `"month"`…). */
  readonly name: string;
  readonly limit: number;
  /** The `w` advertised for the policy. */
  readonly windowSeconds: number;
  readonly bounds: Bounds;
  /** Counter key: consumer, policy and window start. A rotation keeps the consumer, hence the counter. */
  readonly key: string;
  /** Epoch ms until which the counter must be kept. */
  readonly expiresAt: number;
}

const RATE_NAMES: Readonly<Record<number, string>> = { 1: "second", 60: "minute", 3600: "hour" };
/** `w` of a month quota: 30 days, constant so `RateLimit-Policy` stays the same across responses. */
export const MONTH_SECONDS = 30 * 86_400;
/** Counters outlive their window by this much, so nodes with slightly skewed clocks still meet in it. */
const RATE_SLACK_MS = 60_000;
const QUOTA_SLACK_MS = 86_400_000;

/** The name a rate window is advertised under: `second`, `minute`, `hour`, else `<n>s`. */
export function rateName(windowSeconds: number): string {
  return RATE_NAMES[windowSeconds] ?? `${windowSeconds}s`;
}

/**
 * The policies of `plan` for `consumerId` at `now`, quota first (when both
 * are exhausted, the quota is the one to report: it lasts longer). Empty for
 * a plan without limits.
 */
export function planPolicies(plan: Plan, consumerId: string, now: number): LimitPolicy[] {
  const policies: LimitPolicy[] = [];
  if (plan.quota !== null) {
    const bounds = quotaPeriod(now, plan.quota.period);
    policies.push({
      kind: "quota",
      name: plan.quota.period,
      limit: plan.quota.limit,
      windowSeconds: plan.quota.period === "day" ? 86_400 : MONTH_SECONDS,
      bounds,
      key: `${consumerId}:q:${plan.quota.period}:${bounds.start}`,
      expiresAt: bounds.end + QUOTA_SLACK_MS,
    });
  }
  if (plan.rateLimit !== null) {
    const { windowSeconds, limit } = plan.rateLimit;
    const bounds = rateWindow(now, windowSeconds);
    policies.push({
      kind: "rate",
      name: rateName(windowSeconds),
      limit,
      windowSeconds,
      bounds,
      key: `${consumerId}:r:${windowSeconds}:${bounds.start}`,
      expiresAt: bounds.end + RATE_SLACK_MS,
    });
  }
  return policies;
}

/** The earliest moment any of `policies` moves to a new window (Infinity for none). */
export function policiesValidUntil(policies: readonly LimitPolicy[]): number {
  let until = Number.POSITIVE_INFINITY;
  for (const policy of policies) until = Math.min(until, policy.bounds.end);
  return until;
}
