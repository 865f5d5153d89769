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

const quoted = new Map<string, string>();

/** A policy name as an sf-string: only printable ASCII, `"` and `\` escaped. Names are few: memoized. */
function sfString(value: string): string {
  let out = quoted.get(value);
  if (out === undefined) {
    out = `"${value.replace(/[^\x20-\x7e]/g, "").replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    if (quoted.size < 1000) quoted.set(value, out);
  }
  return out;
}

/** sf-integer: at most 15 digits. */
function sfInteger(value: number): string {
  if (value <= 0) return "0";
  return `${Math.floor(Math.min(999_999_999_999_999, value))}`;
}

/** Each policy's item, computed once per policy object (one per consumer and window). */
const policyItems = new WeakMap<LimitPolicy, string>();

function policyItem(p: LimitPolicy): string {
  let item = policyItems.get(p);
  if (item === undefined) {
    item = `${sfString(p.name)};q=${sfInteger(p.limit)};w=${sfInteger(p.windowSeconds)}`;
    policyItems.set(p, item);
  }
  return item;
}

export function formatRateLimitPolicy(policies: readonly LimitPolicy[]): string {
  let out = "";
  for (const p of policies) out = out === "" ? policyItem(p) : `${out}, ${policyItem(p)}`;
  return out;
}

export function formatRateLimit(states: readonly PolicyState[], now: number): string {
  let out = "";
  for (const s of states) {
    const item = `${sfString(s.policy.name)};r=${sfInteger(s.remaining)};t=${sfInteger(secondsUntil(s.policy.bounds.end, now))}`;
    out = out === "" ? item : `${out}, ${item}`;
  }
  return out;
}

export function rateLimitHeaders(states: readonly PolicyState[], now: number): RateLimitHeaders {
  let policies = "";
  for (const s of states)
    policies = policies === "" ? policyItem(s.policy) : `${policies}, ${policyItem(s.policy)}`;
  return { "ratelimit-policy": policies, ratelimit: formatRateLimit(states, now) };
}
