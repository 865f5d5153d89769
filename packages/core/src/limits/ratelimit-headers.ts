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
  return policies.map(policyItem).join(", ");
}

/**
 * Built with one `join`: the result is a flat string, which Node's header
 * validation (a regular expression over the value) reads without first
 * flattening a chain of concatenations — this runs on every limited response.
 */
export function formatRateLimit(states: readonly PolicyState[], now: number): string {
  const parts: string[] = [];
  for (const s of states) {
    if (parts.length > 0) parts.push(", ");
    parts.push(
      sfString(s.policy.name),
      ";r=",
      sfInteger(s.remaining),
      ";t=",
      sfInteger(secondsUntil(s.policy.bounds.end, now)),
    );
  }
  return parts.join("");
}

/** The policy header of a list of policies, kept for the list's first policy (one per consumer and window). */
const policyHeaders = new WeakMap<
  LimitPolicy,
  { readonly policies: readonly LimitPolicy[]; readonly header: string }
>();

function policyHeader(states: readonly PolicyState[]): string {
  const first = states[0]?.policy;
  if (first === undefined) return "";
  const cached = policyHeaders.get(first);
  if (
    cached !== undefined &&
    cached.policies.length === states.length &&
    cached.policies.every((policy, i) => states[i]?.policy === policy)
  )
    return cached.header;
  const policies = states.map((state) => state.policy);
  const header = formatRateLimitPolicy(policies);
  policyHeaders.set(first, { policies, header });
  return header;
}

export function rateLimitHeaders(states: readonly PolicyState[], now: number): RateLimitHeaders {
  return { "ratelimit-policy": policyHeader(states), ratelimit: formatRateLimit(states, now) };
}
