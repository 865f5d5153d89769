import { describe, expect, it } from "vitest";
import { decideKeyValidity } from "../keys/verify-key.ts";
import type { KeyRecord } from "../model.ts";
import { makeConsumer, makeKey, T0 } from "../testing/fixtures.ts";
import {
  DEFAULT_IDLE_SECONDS,
  DEFAULT_OVERLAP_SECONDS,
  MAX_OVERLAP_SECONDS,
  planRotation,
  type RotationDecision,
  type RotationInput,
  type RotationPlan,
} from "./plan-rotation.ts";

const H = 3_600_000;
const NOW = T0 + 10 * H;

function input(overrides: Partial<RotationInput> = {}): RotationInput {
  return {
    old: makeKey({
      scopes: ["read", "trade"],
      metadata: { team: "x" },
      expiresAt: T0 + 1000 * H,
      revision: 4,
    }),
    consumer: makeConsumer(),
    options: {},
    now: NOW,
    lineageMaxVersion: 1,
    successor: { id: "key_2", hash: "b".repeat(64), hint: "kg_live_new…abcd" },
    rotationId: "rot_1",
    ...overrides,
  };
}

function plan(decision: RotationDecision): RotationPlan {
  if (decision.type !== "rotate") throw new Error(`expected a plan, got: ${decision.detail}`);
  return decision;
}

describe("planRotation", () => {
  it("creates the successor in the same lineage and deprecates the old key until the overlap ends", () => {
    const i = input({ options: { overlapSeconds: 3600 } });
    const p = plan(planRotation(i));
    expect(p.emergency).toBe(false);
    expect(p.newKey).toEqual<KeyRecord>({
      id: "key_2",
      consumerId: i.old.consumerId,
      name: i.old.name,
      scopes: ["read", "trade"],
      env: "live",
      lineageId: i.old.lineageId,
      version: 2,
      status: "active",
      hash: "b".repeat(64),
      hint: "kg_live_new…abcd",
      createdAt: NOW,
      expiresAt: i.old.expiresAt,
      deprecatedAt: null,
      sunsetAt: null,
      revokedAt: null,
      revokedReason: null,
      lastUsedAt: null,
      metadata: { team: "x" },
      createdBy: "operator:test",
      allowedIps: null,
      revision: 0,
    });
    expect(p.oldKey).toEqual({ ...i.old, status: "deprecated", deprecatedAt: NOW, sunsetAt: NOW + H });
    expect(p.rotation).toEqual({
      id: "rot_1",
      lineageId: i.old.lineageId,
      consumerId: i.old.consumerId,
      oldKeyId: i.old.id,
      newKeyId: "key_2",
      startedAt: NOW,
      sunsetAt: NOW + H,
      retire: "deadline",
      idleSeconds: DEFAULT_IDLE_SECONDS,
      state: "overlapping",
      completedAt: null,
      completedReason: null,
    });
  });

  it("leaves both keys valid during the overlap and only the new one at its end", () => {
    const p = plan(planRotation(input({ options: { overlapSeconds: 60 } })));
    expect(decideKeyValidity(p.oldKey, NOW + 59_999)).toEqual({ type: "valid", signalDeprecation: true });
    expect(decideKeyValidity(p.newKey, NOW + 59_999)).toEqual({ type: "valid", signalDeprecation: false });
    expect(decideKeyValidity(p.oldKey, NOW + 60_000).type).toBe("invalid");
    expect(decideKeyValidity(p.newKey, NOW + 60_000).type).toBe("valid");
  });

  it("numbers the successor after the lineage's highest version, even a rolled-back one", () => {
    expect(plan(planRotation(input({ lineageMaxVersion: 7 }))).newKey.version).toBe(8);
  });

  it("treats overlapSeconds = 0 as an emergency: the old key dies at once, the rotation is already complete", () => {
    const p = plan(planRotation(input({ options: { overlapSeconds: 0, retire: "idle" } })));
    expect(p.emergency).toBe(true);
    expect(p.oldKey).toMatchObject({ status: "expired", deprecatedAt: NOW, sunsetAt: NOW });
    expect(p.rotation).toMatchObject({
      state: "completed",
      completedAt: NOW,
      completedReason: "deadline",
      sunsetAt: NOW,
    });
    expect(decideKeyValidity(p.oldKey, NOW)).toEqual({ type: "invalid", code: "KEY_EXPIRED" });
    expect(decideKeyValidity(p.newKey, NOW).type).toBe("valid");
  });

  it("uses the defaults: 86400 s overlap, deadline retirement, 900 s idle", () => {
    const p = plan(planRotation(input()));
    expect(DEFAULT_OVERLAP_SECONDS).toBe(86_400);
    expect(DEFAULT_IDLE_SECONDS).toBe(900);
    expect(p.rotation).toMatchObject({ sunsetAt: NOW + 86_400_000, retire: "deadline", idleSeconds: 900 });
  });

  it("takes the overlap from the consumer's rotation policy when the options have none", () => {
    const consumer = makeConsumer({
      rotationPolicy: { maxAgeDays: 90, overlapSeconds: 600, notifyBeforeDays: 7 },
    });
    expect(plan(planRotation(input({ consumer }))).rotation.sunsetAt).toBe(NOW + 600_000);
    expect(plan(planRotation(input({ consumer, options: { overlapSeconds: 30 } }))).rotation.sunsetAt).toBe(
      NOW + 30_000,
    );
    const noOverlap = makeConsumer({
      rotationPolicy: { maxAgeDays: 90, overlapSeconds: null, notifyBeforeDays: 7 },
    });
    expect(plan(planRotation(input({ consumer: noOverlap }))).rotation.sunsetAt).toBe(NOW + 86_400_000);
    const emergencyPolicy = makeConsumer({
      rotationPolicy: { maxAgeDays: 1, overlapSeconds: 0, notifyBeforeDays: 0 },
    });
    expect(plan(planRotation(input({ consumer: emergencyPolicy }))).emergency).toBe(true);
  });

  it("keeps an idle policy and its idleSeconds", () => {
    const p = plan(planRotation(input({ options: { retire: "idle", idleSeconds: 120 } })));
    expect(p.rotation).toMatchObject({ retire: "idle", idleSeconds: 120 });
  });

  it("keeps a due key's sunset when it comes before the end of the overlap", () => {
    const due = makeKey({ deprecatedAt: NOW - H, sunsetAt: NOW + H });
    const p = plan(planRotation(input({ old: due, options: { overlapSeconds: 86_400 } })));
    expect(p.oldKey.sunsetAt).toBe(NOW + H);
    expect(p.rotation.sunsetAt).toBe(NOW + H);
    expect(p.oldKey.deprecatedAt).toBe(NOW);
  });

  it("uses the end of the overlap when it comes before a due key's sunset", () => {
    const due = makeKey({ deprecatedAt: NOW, sunsetAt: NOW + 48 * H });
    const p = plan(planRotation(input({ old: due, options: { overlapSeconds: 3600 } })));
    expect(p.oldKey.sunsetAt).toBe(NOW + H);
    expect(p.rotation.sunsetAt).toBe(NOW + H);
  });

  it("does not carry the old key's due dates over to the successor", () => {
    const due = makeKey({ deprecatedAt: NOW, sunsetAt: NOW + H });
    const p = plan(planRotation(input({ old: due })));
    expect(p.newKey).toMatchObject({ deprecatedAt: null, sunsetAt: null, status: "active" });
  });

  it.each([
    ["deprecated", makeKey({ status: "deprecated", deprecatedAt: NOW - H, sunsetAt: NOW + H }), "deprecated"],
    ["revoked", makeKey({ status: "revoked", revokedAt: NOW - H }), "revoked"],
    ["expired", makeKey({ status: "expired" }), "expired"],
    ["active but past expiresAt", makeKey({ expiresAt: NOW }), "expired"],
    ["active but past a due sunset", makeKey({ deprecatedAt: NOW - H, sunsetAt: NOW }), "expired"],
  ])("rejects a %s key", (_name, old, word) => {
    const decision = planRotation(input({ old }));
    expect(decision.type).toBe("reject");
    expect(decision.type === "reject" && decision.detail).toContain(word);
  });

  it.each([
    ["negative", -1],
    ["NaN", Number.NaN],
    ["infinite", Number.POSITIVE_INFINITY],
    ["over a year", MAX_OVERLAP_SECONDS + 1],
  ])("rejects a %s overlap instead of planning an inconsistent rotation", (_name, overlapSeconds) => {
    expect(planRotation(input({ options: { overlapSeconds } })).type).toBe("reject");
  });

  it("accepts the largest allowed overlap", () => {
    expect(planRotation(input({ options: { overlapSeconds: MAX_OVERLAP_SECONDS } })).type).toBe("rotate");
  });

  it.each([-1, Number.NaN])("rejects idleSeconds %s", (idleSeconds) => {
    expect(planRotation(input({ options: { retire: "idle", idleSeconds } })).type).toBe("reject");
  });
});
