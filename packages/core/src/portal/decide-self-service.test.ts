import { describe, expect, it } from "vitest";
import { makeKey, T0 } from "../testing/fixtures.ts";
import {
  decideSelfServiceKey,
  decideSelfServiceOverlap,
  liveKeyCount,
  type SelfServicePolicy,
  selfServiceScopes,
} from "./decide-self-service.ts";

const policy: SelfServicePolicy = {
  maxKeysPerConsumer: 2,
  maxOverlapSeconds: 3600,
  routedScopes: ["trade", "read"],
};

describe("self-service decisions", () => {
  it("offers the plan's scopes, else every routed scope", () => {
    expect(selfServiceScopes(null, policy)).toEqual(["read", "trade"]);
    const plan = { name: "free", rateLimit: null, quota: null, scopes: ["read"], updatedAt: T0 };
    expect(selfServiceScopes(plan, policy)).toEqual(["read"]);
  });

  it("refuses scopes outside the allowed ones, naming each", () => {
    const decision = decideSelfServiceKey({
      scopes: ["read", "trade", "admin"],
      allowed: ["read"],
      live: 0,
      policy,
    });
    expect(decision).toMatchObject({ type: "reject", code: "VALIDATION_FAILED" });
    expect(decision.type === "reject" ? decision.errors?.map((e) => e.message.split(" ")[0]) : []).toEqual([
      '"trade"',
      '"admin"',
    ]);
  });

  it("refuses a key past the limit, counting only keys that still work", () => {
    const now = T0 + 1000;
    const keys = [
      makeKey({ id: "a" }),
      makeKey({ id: "b", status: "deprecated", sunsetAt: now + 1 }),
      makeKey({ id: "c", status: "deprecated", sunsetAt: now - 1 }),
      makeKey({ id: "d", status: "revoked" }),
    ];
    expect(liveKeyCount(keys, now)).toBe(2);
    expect(decideSelfServiceKey({ scopes: [], allowed: [], live: 2, policy })).toMatchObject({
      code: "KEY_LIMIT_REACHED",
    });
    expect(decideSelfServiceKey({ scopes: ["read"], allowed: ["read"], live: 1, policy })).toEqual({
      type: "allow",
    });
  });

  it("bounds the overlap", () => {
    expect(decideSelfServiceOverlap(3600, policy)).toEqual({ type: "allow" });
    expect(decideSelfServiceOverlap(3601, policy)).toMatchObject({
      type: "reject",
      code: "VALIDATION_FAILED",
    });
  });
});
