import { describe, expect, it } from "vitest";
import { makeKey, T0 } from "../testing/fixtures.ts";
import { planDue } from "./plan-due.ts";
import { decideKeyValidity } from "./verify-key.ts";

const H = 3_600_000;

describe("planDue", () => {
  it("marks an active key due: it stays valid, signals, and dies at the sunset", () => {
    const key = makeKey();
    const decision = planDue(key, T0, T0 + H, T0);
    expect(decision).toEqual({ type: "due", key: { ...key, deprecatedAt: T0, sunsetAt: T0 + H } });
    if (decision.type !== "due") return;
    expect(decision.key.status).toBe("active");
    expect(decideKeyValidity(decision.key, T0)).toEqual({ type: "valid", signalDeprecation: true });
    expect(decideKeyValidity(decision.key, T0 + H).type).toBe("invalid");
  });

  it("accepts a due date in the future (policy notice) and a sunset equal to it", () => {
    const decision = planDue(makeKey(), T0 + H, T0 + H, T0);
    expect(decision.type).toBe("due");
  });

  it("lets a due key be made due again while it is valid (a new sunset replaces the old one)", () => {
    const due = makeKey({ deprecatedAt: T0, sunsetAt: T0 + H });
    const decision = planDue(due, T0 + 1, T0 + 2 * H, T0 + 1);
    expect(decision.type === "due" && decision.key.sunsetAt).toBe(T0 + 2 * H);
  });

  it.each([
    ["the past", T0 - 1],
    ["now", T0],
  ])("rejects a sunset in %s as a validation failure", (_name, sunsetAt) => {
    expect(planDue(makeKey(), T0, sunsetAt, T0)).toMatchObject({ type: "reject", code: "VALIDATION_FAILED" });
  });

  it("rejects a sunset before the due date", () => {
    expect(planDue(makeKey(), T0 + 2 * H, T0 + H, T0)).toMatchObject({
      type: "reject",
      code: "VALIDATION_FAILED",
    });
  });

  it.each([
    ["deprecated", makeKey({ status: "deprecated", deprecatedAt: T0, sunsetAt: T0 + H }), "deprecated"],
    ["revoked", makeKey({ status: "revoked", revokedAt: T0 }), "revoked"],
    ["expired", makeKey({ status: "expired" }), "expired"],
    ["past expiresAt", makeKey({ expiresAt: T0 }), "expired"],
    ["past a previous due sunset", makeKey({ deprecatedAt: T0 - H, sunsetAt: T0 }), "expired"],
  ])("rejects a %s key as a conflict", (_name, key, status) => {
    const decision = planDue(key, T0, T0 + H, T0);
    expect(decision).toMatchObject({ type: "reject", code: "CONFLICT" });
    expect(decision.type === "reject" && decision.detail).toContain(status);
  });
});
