import { describe, expect, it } from "vitest";
import type { KeyStatus } from "../model.ts";
import { makeKey, T0 } from "../testing/fixtures.ts";
import { decideKeyValidity, effectiveStatus, hasScopes } from "./verify-key.ts";

const H = 3_600_000;

describe("decideKeyValidity", () => {
  it("an active key without dates is valid and signals nothing", () => {
    expect(decideKeyValidity(makeKey(), T0)).toEqual({ type: "valid", signalDeprecation: false });
  });

  it("is invalid at exactly expiresAt, valid one millisecond before", () => {
    const key = makeKey({ expiresAt: T0 + H });
    expect(decideKeyValidity(key, T0 + H - 1)).toEqual({ type: "valid", signalDeprecation: false });
    expect(decideKeyValidity(key, T0 + H)).toEqual({ type: "invalid", code: "KEY_EXPIRED" });
    expect(decideKeyValidity(key, T0 + 2 * H)).toEqual({ type: "invalid", code: "KEY_EXPIRED" });
  });

  it("a deprecated key is valid with signals until exactly sunsetAt", () => {
    const key = makeKey({ status: "deprecated", deprecatedAt: T0, sunsetAt: T0 + H });
    expect(decideKeyValidity(key, T0)).toEqual({ type: "valid", signalDeprecation: true });
    expect(decideKeyValidity(key, T0 + H - 1)).toEqual({ type: "valid", signalDeprecation: true });
    expect(decideKeyValidity(key, T0 + H)).toEqual({ type: "invalid", code: "KEY_EXPIRED" });
  });

  it("a due key (active, deprecatedAt possibly in the future) signals and dies at its sunset", () => {
    const key = makeKey({ deprecatedAt: T0 + H, sunsetAt: T0 + 2 * H });
    expect(decideKeyValidity(key, T0)).toEqual({ type: "valid", signalDeprecation: true });
    expect(decideKeyValidity(key, T0 + 2 * H - 1)).toEqual({ type: "valid", signalDeprecation: true });
    expect(decideKeyValidity(key, T0 + 2 * H)).toEqual({ type: "invalid", code: "KEY_EXPIRED" });
  });

  it("a deprecated key without a sunset stays valid and signals", () => {
    const key = makeKey({ status: "deprecated", deprecatedAt: null });
    expect(decideKeyValidity(key, T0 + 1000 * H)).toEqual({ type: "valid", signalDeprecation: true });
  });

  it("the earlier of expiresAt and sunsetAt wins", () => {
    const key = makeKey({ status: "deprecated", deprecatedAt: T0, sunsetAt: T0 + 2 * H, expiresAt: T0 + H });
    expect(decideKeyValidity(key, T0 + H).type).toBe("invalid");
    const other = makeKey({
      status: "deprecated",
      deprecatedAt: T0,
      sunsetAt: T0 + H,
      expiresAt: T0 + 2 * H,
    });
    expect(decideKeyValidity(other, T0 + H).type).toBe("invalid");
  });

  it("a stored `expired` status is invalid whatever the dates say", () => {
    expect(decideKeyValidity(makeKey({ status: "expired" }), T0)).toEqual({
      type: "invalid",
      code: "KEY_EXPIRED",
    });
    expect(decideKeyValidity(makeKey({ status: "expired", sunsetAt: T0 + H }), T0)).toEqual({
      type: "invalid",
      code: "KEY_EXPIRED",
    });
  });

  it("revoked wins over expired, at any moment", () => {
    const key = makeKey({ status: "revoked", revokedAt: T0, expiresAt: T0 - H, sunsetAt: T0 - H });
    for (const now of [T0 - 2 * H, T0, T0 + H]) {
      expect(decideKeyValidity(key, now)).toEqual({ type: "invalid", code: "KEY_REVOKED" });
    }
  });

  it.each<[KeyStatus, boolean]>([
    ["active", true],
    ["deprecated", true],
    ["expired", false],
    ["revoked", false],
  ])("status %s without dates is valid: %s", (status, valid) => {
    expect(decideKeyValidity(makeKey({ status }), T0).type).toBe(valid ? "valid" : "invalid");
  });
});

describe("effectiveStatus", () => {
  it("reads a deprecated key past its sunset as expired, and a revoked one as revoked", () => {
    const deprecated = makeKey({ status: "deprecated", deprecatedAt: T0, sunsetAt: T0 + H });
    expect(effectiveStatus(deprecated, T0)).toBe("deprecated");
    expect(effectiveStatus(deprecated, T0 + H)).toBe("expired");
    expect(effectiveStatus(makeKey({ status: "revoked", sunsetAt: T0 }), T0 + H)).toBe("revoked");
    expect(effectiveStatus(makeKey({ expiresAt: T0 }), T0)).toBe("expired");
    expect(effectiveStatus(makeKey(), T0)).toBe("active");
  });
});

describe("hasScopes", () => {
  it.each<[string[], string[], boolean]>([
    [[], [], true],
    [["read"], [], true],
    [[], ["read"], false],
    [["read", "trade"], ["trade"], true],
    [["read", "trade"], ["read", "trade"], true],
    [["read"], ["read", "trade"], false],
    [["Trade"], ["trade"], false],
    [["trade:spot"], ["trade"], false],
  ])("granted %j, required %j → %s", (granted, required, expected) => {
    expect(hasScopes(granted, required)).toBe(expected);
  });
});
