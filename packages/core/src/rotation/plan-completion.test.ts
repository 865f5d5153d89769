import { describe, expect, it } from "vitest";
import { decideKeyValidity } from "../keys/verify-key.ts";
import type { CompletedReason, RotationState } from "../model.ts";
import { makeKey, makeRotation, T0 } from "../testing/fixtures.ts";
import { planCompletion } from "./plan-completion.ts";

const H = 3_600_000;
const SUNSET = T0 + 24 * H;
const rotation = makeRotation({ startedAt: T0, sunsetAt: SUNSET });
const oldKey = makeKey({ status: "deprecated", deprecatedAt: T0, sunsetAt: SUNSET, revision: 3 });

describe("planCompletion", () => {
  it.each<CompletedReason>(["manual", "idle", "deadline"])("retires the old key now (%s)", (reason) => {
    const now = T0 + H;
    const decision = planCompletion(rotation, oldKey, now, reason);
    expect(decision).toEqual({
      type: "complete",
      oldKey: { ...oldKey, status: "expired", sunsetAt: now },
      rotation: { ...rotation, state: "completed", completedAt: now, completedReason: reason },
    });
    if (decision.type === "complete") {
      expect(decideKeyValidity(decision.oldKey, now)).toEqual({ type: "invalid", code: "KEY_EXPIRED" });
    }
  });

  it("records a late job's retirement at the sunset, not later", () => {
    const decision = planCompletion(rotation, oldKey, SUNSET + H, "deadline");
    expect(decision).toMatchObject({
      type: "complete",
      oldKey: { status: "expired", sunsetAt: SUNSET },
      rotation: { completedAt: SUNSET + H, completedReason: "deadline" },
    });
  });

  it("completes exactly at the sunset", () => {
    expect(planCompletion(rotation, oldKey, SUNSET, "deadline")).toMatchObject({
      oldKey: { status: "expired", sunsetAt: SUNSET },
    });
  });

  it("never moves an old key's earlier sunset later", () => {
    const early = { ...oldKey, sunsetAt: T0 + H };
    expect(planCompletion(rotation, early, T0 + 2 * H, "manual")).toMatchObject({
      oldKey: { sunsetAt: T0 + H },
    });
  });

  it("leaves a revoked old key revoked and still completes the rotation", () => {
    const revoked = { ...oldKey, status: "revoked" as const, revokedAt: T0 + H, revokedReason: "leaked" };
    const decision = planCompletion(rotation, revoked, T0 + 2 * H, "manual");
    expect(decision).toMatchObject({ type: "complete", rotation: { state: "completed" } });
    expect(decision.type === "complete" && decision.oldKey).toBe(revoked);
  });

  it.each<RotationState>(["completed", "rolled_back"])("rejects a %s rotation", (state) => {
    const decision = planCompletion({ ...rotation, state }, oldKey, T0 + H, "manual");
    expect(decision.type).toBe("reject");
    expect(decision.type === "reject" && decision.detail).toContain(state);
  });
});
