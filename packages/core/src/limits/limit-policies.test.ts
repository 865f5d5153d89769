import { describe, expect, it } from "vitest";
import type { Plan } from "../model.ts";
import { MONTH_SECONDS, planPolicies, policiesValidUntil, rateName } from "./limit-policies.ts";

const NOW = Date.parse("2026-03-04T10:15:42Z");
const pro: Plan = {
  name: "pro",
  rateLimit: { limit: 600, windowSeconds: 60 },
  quota: { limit: 500_000, period: "month" },
  scopes: null,
  updatedAt: 0,
};

describe("planPolicies", () => {
  it("lists the quota, then the rate limit, each with its current window and counter key", () => {
    const [quota, rate] = planPolicies(pro, "con_1", NOW);
    expect(quota).toMatchObject({
      kind: "quota",
      name: "month",
      limit: 500_000,
      windowSeconds: MONTH_SECONDS,
      bounds: { start: Date.parse("2026-03-01T00:00:00Z"), end: Date.parse("2026-04-01T00:00:00Z") },
      key: `con_1:q:month:${Date.parse("2026-03-01T00:00:00Z")}`,
    });
    expect(rate).toMatchObject({
      kind: "rate",
      name: "minute",
      limit: 600,
      windowSeconds: 60,
      key: `con_1:r:60:${Date.parse("2026-03-04T10:15:00Z")}`,
    });
    expect(rate?.expiresAt).toBeGreaterThan(rate?.bounds.end ?? Number.POSITIVE_INFINITY);
  });

  it("keys counters by consumer, not key: the same consumer meets the same counter", () => {
    expect(planPolicies(pro, "con_1", NOW).map((p) => p.key)).toEqual(
      planPolicies(pro, "con_1", NOW + 1000).map((p) => p.key),
    );
    expect(planPolicies(pro, "con_2", NOW)[0]?.key).not.toBe(planPolicies(pro, "con_1", NOW)[0]?.key);
  });

  it("moves to a new counter when the window rolls over", () => {
    const before = planPolicies(pro, "con_1", Date.parse("2026-03-04T10:15:59.999Z"));
    const after = planPolicies(pro, "con_1", Date.parse("2026-03-04T10:16:00Z"));
    expect(after[1]?.key).not.toBe(before[1]?.key);
    expect(after[0]?.key).toBe(before[0]?.key);
    expect(policiesValidUntil(before)).toBe(Date.parse("2026-03-04T10:16:00Z"));
  });

  it("is empty for a plan without limits", () => {
    expect(planPolicies({ ...pro, rateLimit: null, quota: null, scopes: null }, "con_1", NOW)).toEqual([]);
    expect(policiesValidUntil([])).toBe(Number.POSITIVE_INFINITY);
  });

  it("names rate windows", () => {
    expect([1, 60, 3600, 86_400].map(rateName)).toEqual(["second", "minute", "hour", "86400s"]);
  });
});
