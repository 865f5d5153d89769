import { describe, expect, it } from "vitest";
import type { KeyStatus } from "../model.ts";
import { makeKey, T0 } from "../testing/fixtures.ts";
import { planRevocation } from "./plan-revocation.ts";
import { decideKeyValidity } from "./verify-key.ts";

describe("planRevocation", () => {
  it.each<KeyStatus>(["active", "deprecated", "expired"])(
    "revokes a %s key now, with the reason",
    (status) => {
      const key = makeKey({ status, sunsetAt: T0 + 1000 });
      const decision = planRevocation(key, "leaked", T0);
      expect(decision).toEqual({
        type: "revoke",
        key: { ...key, status: "revoked", revokedAt: T0, revokedReason: "leaked" },
      });
      if (decision.type === "revoke") {
        expect(decideKeyValidity(decision.key, T0)).toEqual({ type: "invalid", code: "KEY_REVOKED" });
      }
    },
  );

  it("rejects a key that is already revoked and keeps its first reason", () => {
    const key = makeKey({ status: "revoked", revokedAt: T0, revokedReason: "leaked" });
    expect(planRevocation(key, "again", T0 + 1)).toMatchObject({ type: "reject" });
  });
});
