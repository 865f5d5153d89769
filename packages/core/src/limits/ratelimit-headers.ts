import type { PolicyState } from "./limit-decision.ts";
import type { LimitPolicy } from "./limit-policies.ts";
import { secondsUntil } from "./window-bounds.ts";

/**
 * `RateLimit-Policy` and `RateLimit` as defined by
 * draft-ietf-httpapi-ratelimit-headers (-10/-11): Structured Field Lists whose
 * items are Strings (the policy name) with Integer parameters — `q` (quota)
 * and `w` (window, seconds) for the policy, `r` (remaining) and `t` (seconds
 * until the window ends) for the current state. Example:
 * `RateLimit-Policy: "minute";q=600;w=60, "month";q=500000;w=2592000`
 * `RateLimit: "minute";r=599;t=42, "month";r=499000;t=1296000`.
 */
export interface RateLimitHeaders {
  readonly "ratelimit-policy": string;
  readonly ratelimit: string;
}

/** A policy name as an sf-string: only printable ASCII, `"` and `\` escaped. */
function sfString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, "").replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** sf-integer: at most 15 digits. */
function sfInteger(value: number): string {
  return String(Math.min(999_999_999_999_999, Math.max(0, Math.floor(value))));
}

export function formatRateLimitPolicy(policies: readonly LimitPolicy[]): string {
  return policies
    .map((p) => `${sfString(p.name)};q=${sfInteger(p.limit)};w=${sfInteger(p.windowSeconds)}`)
    .join(", ");
}

export function formatRateLimit(states: readonly PolicyState[], now: number): string {
  return states
    .map(
      (s) =>
        `${sfString(s.policy.name)};r=${sfInteger(s.remaining)};t=${sfInteger(secondsUntil(s.policy.bounds.end, now))}`,
    )
    .join(", ");
}

export function rateLimitHeaders(states: readonly PolicyState[], now: number): RateLimitHeaders {
  return {
    "ratelimit-policy": formatRateLimitPolicy(states.map((s) => s.policy)),
    ratelimit: formatRateLimit(states, now),
  };
}
