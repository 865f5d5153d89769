import { describe, expect, it } from "vitest";
import type { RotationPolicy } from "../model.ts";
import { makeKey, T0 } from "../testing/fixtures.ts";
import { MIN_DUE_NOTICE_MS, planPolicyDue } from "./plan-policy-due.ts";

const DAY = 86_400_000;
const policy = (overrides: Partial<RotationPolicy> = {}): RotationPolicy => ({
  maxAgeDays: 90,
  overlapSeconds: 3600,
  notifyBeforeDays: 7,
  ...overrides,
});

describe("planPolicyDue", () => {
  it("waits until notifyBeforeDays before the due date", () => {
    expect(planPolicyDue(makeKey(), policy(), T0 + 82 * DAY)).toEqual({
      type: "wait",
      notifyAt: T0 + 83 * DAY,
    });
  });

  it("marks the key due from then on, with the due date in the future and the sunset one overlap after it", () => {
    expect(planPolicyDue(makeKey(), policy(), T0 + 83 * DAY)).toEqual({
      type: "due",
      dueAt: T0 + 90 * DAY,
      sunsetAt: T0 + 90 * DAY + 3_600_000,
    });
  });

  it("uses the 24 h default overlap and no notice when the policy leaves them out", () => {
    const p = policy({ overlapSeconds: null, notifyBeforeDays: null });
    expect(planPolicyDue(makeKey(), p, T0 + 90 * DAY - 1).type).toBe("wait");
    expect(planPolicyDue(makeKey(), p, T0 + 90 * DAY)).toEqual({
      type: "due",
      dueAt: T0 + 90 * DAY,
      sunsetAt: T0 + 91 * DAY,
    });
  });

  it("gives an overdue key one overlap from now, never a sunset in the past", () => {
    const now = T0 + 400 * DAY;
    expect(planPolicyDue(makeKey(), policy(), now)).toEqual({
      type: "due",
      dueAt: T0 + 90 * DAY,
      sunsetAt: now + 3_600_000,
    });
    expect(planPolicyDue(makeKey(), policy({ overlapSeconds: 0 }), now)).toEqual({
      type: "due",
      dueAt: T0 + 90 * DAY,
      sunsetAt: now + MIN_DUE_NOTICE_MS,
    });
  });

  it("accepts fractional ages", () => {
    const decision = planPolicyDue(makeKey(), policy({ maxAgeDays: 0.5, notifyBeforeDays: 0 }), T0 + DAY);
    expect(decision.type === "due" && decision.dueAt).toBe(T0 + DAY / 2);
  });

  it.each([
    ["no policy", makeKey(), null],
    ["no maximum age", makeKey(), policy({ maxAgeDays: null })],
    ["a key already due", makeKey({ deprecatedAt: T0, sunsetAt: T0 + 400 * DAY }), policy()],
    [
      "a deprecated key",
      makeKey({ status: "deprecated", deprecatedAt: T0, sunsetAt: T0 + 400 * DAY }),
      policy(),
    ],
    ["a revoked key", makeKey({ status: "revoked", revokedAt: T0 }), policy()],
    ["an expired key", makeKey({ expiresAt: T0 + DAY }), policy()],
  ])("does nothing for %s", (_name, key, p) => {
    expect(planPolicyDue(key, p, T0 + 200 * DAY)).toEqual({ type: "none" });
  });
});
