import { describe, expect, it } from "vitest";
import type { Plan } from "../model.ts";
import { denyVerdict, remainingOf } from "./limit-decision.ts";
import { planPolicies } from "./limit-policies.ts";
import { formatRateLimit, formatRateLimitPolicy, rateLimitHeaders } from "./ratelimit-headers.ts";

const NOW = Date.parse("2026-03-04T10:15:18Z");
const pro: Plan = {
  name: "pro",
  rateLimit: { limit: 600, windowSeconds: 60 },
  quota: { limit: 500_000, period: "month" },
  scopes: null,
  updatedAt: 0,
};

describe("RateLimit headers (draft-ietf-httpapi-ratelimit-headers)", () => {
  const policies = planPolicies(pro, "con_1", NOW);
  const [quota, rate] = policies;
  if (quota === undefined || rate === undefined) throw new Error("two policies expected");

  it("advertises each policy as a String item with q and w", () => {
    expect(formatRateLimitPolicy(policies)).toBe('"month";q=500000;w=2592000, "minute";q=600;w=60');
  });

  it("reports remaining units and seconds to the window's end", () => {
    const states = [
      { policy: quota, remaining: 499_000 },
      { policy: rate, remaining: 599 },
    ];
    const tMonth = (Date.parse("2026-04-01T00:00:00Z") - NOW) / 1000;
    expect(formatRateLimit(states, NOW)).toBe(`"month";r=499000;t=${tMonth}, "minute";r=599;t=42`);
    expect(rateLimitHeaders(states, NOW)).toEqual({
      "ratelimit-policy": formatRateLimitPolicy(policies),
      ratelimit: formatRateLimit(states, NOW),
    });
  });

  it("rebuilds the remembered policy field when the policies behind the same first one change", () => {
    const quotaOnly = [{ policy: quota, remaining: 1 }];
    const both = [
      { policy: quota, remaining: 1 },
      { policy: rate, remaining: 1 },
    ];
    const faster = { ...rate, limit: 1200 };
    expect(rateLimitHeaders(both, NOW)["ratelimit-policy"]).toBe(formatRateLimitPolicy([quota, rate]));
    expect(rateLimitHeaders(quotaOnly, NOW)["ratelimit-policy"]).toBe('"month";q=500000;w=2592000');
    const changed = [
      { policy: quota, remaining: 1 },
      { policy: faster, remaining: 1 },
    ];
    expect(rateLimitHeaders(changed, NOW)["ratelimit-policy"]).toBe(
      '"month";q=500000;w=2592000, "minute";q=1200;w=60',
    );
    expect(rateLimitHeaders(both, NOW)["ratelimit-policy"]).toBe(formatRateLimitPolicy([quota, rate]));
    expect(rateLimitHeaders([], NOW)).toEqual({ "ratelimit-policy": "", ratelimit: "" });
  });

  it("escapes what an sf-string cannot hold", () => {
    const odd = { ...rate, name: 'a"b\\c\u00e9' };
    expect(formatRateLimitPolicy([odd])).toBe('"a\\"b\\\\c";q=600;w=60');
  });
});

describe("denyVerdict", () => {
  const [quota, rate] = planPolicies(pro, "con_1", NOW);
  if (quota === undefined || rate === undefined) throw new Error("two policies expected");

  it("maps a rate limit to RATE_LIMITED, retrying when its window ends", () => {
    expect(denyVerdict(rate, [], NOW)).toMatchObject({
      type: "deny",
      code: "RATE_LIMITED",
      retryAfterSeconds: 42,
    });
  });

  it("maps a quota to QUOTA_EXCEEDED, retrying when the period ends", () => {
    const verdict = denyVerdict(quota, [], NOW);
    expect(verdict).toMatchObject({ type: "deny", code: "QUOTA_EXCEEDED" });
    expect(verdict.type === "deny" && verdict.retryAfterSeconds).toBe(
      (Date.parse("2026-04-01T00:00:00Z") - NOW) / 1000,
    );
  });

  it("never says retry after 0", () => {
    const atEnd = denyVerdict(rate, [], rate.bounds.end);
    expect(atEnd.type === "deny" && atEnd.retryAfterSeconds).toBe(1);
    const verdict = denyVerdict(rate, [], rate.bounds.end - 1);
    expect(verdict.type === "deny" && verdict.retryAfterSeconds).toBe(1);
  });
});

describe("remainingOf", () => {
  it("counts held lease units as the consumer's and clamps", () => {
    expect(remainingOf(10, 8, 3)).toBe(5);
    expect(remainingOf(10, 14, 0)).toBe(0);
    expect(remainingOf(10, 0, 5)).toBe(10);
  });
});
