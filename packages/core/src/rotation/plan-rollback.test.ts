import { describe, expect, it } from "vitest";
import { decideKeyValidity } from "../keys/verify-key.ts";
import type { KeyRecord, RotationState } from "../model.ts";
import { makeKey, makeRotation, T0 } from "../testing/fixtures.ts";
import { planRollback } from "./plan-rollback.ts";

const H = 3_600_000;
const SUNSET = T0 + 24 * H;
const rotation = makeRotation({ startedAt: T0, sunsetAt: SUNSET });
const oldKey = makeKey({ id: "key_1", status: "deprecated", deprecatedAt: T0, sunsetAt: SUNSET });
const newKey = makeKey({ id: "key_2", version: 2, createdAt: T0 });

describe("planRollback", () => {
  it("during the overlap: restores the old key and revokes the new one as rolled_back", () => {
    const now = T0 + H;
    const decision = planRollback(rotation, oldKey, newKey, now);
    expect(decision).toEqual({
      type: "rollback",
      oldKey: { ...oldKey, status: "active", deprecatedAt: null, sunsetAt: null },
      newKey: { ...newKey, status: "revoked", revokedAt: now, revokedReason: "rolled_back" },
      rotation: { ...rotation, state: "rolled_back", completedAt: now, completedReason: null },
    });
    if (decision.type !== "rollback") return;
    expect(decideKeyValidity(decision.oldKey, SUNSET + H)).toEqual({
      type: "valid",
      signalDeprecation: false,
    });
    expect(decideKeyValidity(decision.newKey, now)).toEqual({ type: "invalid", code: "KEY_REVOKED" });
  });

  it("works one millisecond before the sunset and not at it", () => {
    expect(planRollback(rotation, oldKey, newKey, SUNSET - 1).type).toBe("rollback");
    const atSunset = planRollback(rotation, oldKey, newKey, SUNSET);
    expect(atSunset.type).toBe("reject");
    expect(atSunset.type === "reject" && atSunset.detail).toContain("sunset");
    expect(planRollback(rotation, oldKey, newKey, SUNSET + H).type).toBe("reject");
  });

  it.each<RotationState>(["completed", "rolled_back"])("rejects a %s rotation", (state) => {
    expect(planRollback({ ...rotation, state }, oldKey, newKey, T0 + H)).toMatchObject({ type: "reject" });
  });

  it.each<[string, KeyRecord]>([
    ["revoked", { ...oldKey, status: "revoked", revokedAt: T0 + 1, revokedReason: "leaked" }],
    ["expired", { ...oldKey, status: "expired" }],
  ])("never restores a %s old key", (_name, old) => {
    expect(planRollback(rotation, old, newKey, T0 + H)).toMatchObject({ type: "reject" });
  });

  it("keeps an already revoked successor as it was (its first reason stays)", () => {
    const revoked = { ...newKey, status: "revoked" as const, revokedAt: T0 + 1, revokedReason: "leaked" };
    const decision = planRollback(rotation, oldKey, revoked, T0 + H);
    expect(decision.type === "rollback" && decision.newKey).toBe(revoked);
    expect(decision.type === "rollback" && decision.oldKey.status).toBe("active");
  });

  // Found by the lifecycle property test: rotate k1→k2, rotate k2→k3, roll back k1→k2
  // left k1 and k3 both active.
  it.each<[string, KeyRecord]>([
    [
      "deprecated (rotated again, overlapping)",
      { ...newKey, status: "deprecated", deprecatedAt: T0 + 1, sunsetAt: SUNSET },
    ],
    [
      "expired (rotated again in an emergency, or retired)",
      { ...newKey, status: "expired", deprecatedAt: T0 + 1 },
    ],
    [
      "revoked after being rotated again",
      {
        ...newKey,
        status: "revoked",
        deprecatedAt: T0 + 1,
        sunsetAt: SUNSET,
        revokedAt: T0 + 2,
        revokedReason: "x",
      },
    ],
  ])("rejects when the successor is %s, so the lineage never has two active keys", (_name, successor) => {
    const decision = planRollback(rotation, oldKey, successor, T0 + H);
    expect(decision.type).toBe("reject");
    expect(decision.type === "reject" && decision.detail).toContain("rotated again");
  });
});
