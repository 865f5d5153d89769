import { type LimitVerdict, type PolicyState, rateLimitHeaders } from "@keygate/core";
import type { LimitDecision } from "../gateway/gateway-limiter.ts";

const ALLOW: LimitDecision = Object.freeze({ allowed: true });

function headersOf(states: readonly PolicyState[], now: number): Record<string, string> {
  return rateLimitHeaders(states, now) as unknown as Record<string, string>;
}

/** A secret-free problem detail naming the limit that refused. */
export function denialDetail(verdict: Extract<LimitVerdict, { type: "deny" }>): string {
  const { violated } = verdict;
  const what =
    violated.kind === "quota"
      ? `Quota of ${violated.limit} per ${violated.name} exceeded`
      : `Rate limit of ${violated.limit} per ${violated.windowSeconds} s exceeded`;
  return `${what}; retry after ${verdict.retryAfterSeconds} s.`;
}

/** The gateway's view: allowed or refused, with `RateLimit-Policy`/`RateLimit` either way. */
export function toLimitDecision(verdict: LimitVerdict, now: number): LimitDecision {
  if (verdict.type === "unlimited") return ALLOW;
  if (verdict.type === "allow") return { allowed: true, headers: headersOf(verdict.states, now) };
  return {
    allowed: false,
    code: verdict.code,
    retryAfterSeconds: verdict.retryAfterSeconds,
    headers: headersOf(verdict.states, now),
    detail: denialDetail(verdict),
  };
}

/** `ratelimit` in the answer of `POST /v1/verify`. */
export interface RateLimitView {
  allowed: boolean;
  cost: number;
  retryAfterSeconds?: number;
  policies: Array<{
    name: string;
    kind: "rate" | "quota";
    limit: number;
    remaining: number;
    windowSeconds: number;
    resetAt: string;
  }>;
  /** The fields a provider service can pass on to its client as they are. */
  headers: { "RateLimit-Policy": string; RateLimit: string };
}

export function rateLimitView(verdict: LimitVerdict, cost: number, now: number): RateLimitView | undefined {
  if (verdict.type === "unlimited") return undefined;
  const headers = rateLimitHeaders(verdict.states, now);
  const view: RateLimitView = {
    allowed: verdict.type === "allow",
    cost,
    policies: verdict.states.map(({ policy, remaining }) => ({
      name: policy.name,
      kind: policy.kind,
      limit: policy.limit,
      remaining,
      windowSeconds: policy.windowSeconds,
      resetAt: new Date(policy.bounds.end).toISOString(),
    })),
    headers: { "RateLimit-Policy": headers["ratelimit-policy"], RateLimit: headers.ratelimit },
  };
  if (verdict.type === "deny") view.retryAfterSeconds = verdict.retryAfterSeconds;
  return view;
}
