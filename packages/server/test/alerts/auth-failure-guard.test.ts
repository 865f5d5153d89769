import { generateKeySecret, keyHint } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { AuthFailureGuard } from "../../src/alerts/auth-failure-guard.ts";
import { cryptoRandom } from "../../src/platform/node-platform.ts";

/** 12:00:10 on a minute boundary + 10 s. */
const T = Date.UTC(2026, 0, 1, 12, 0, 10);

describe("AuthFailureGuard", () => {
  it("throttles a client IP past the limit until its minute ends, and only that IP", () => {
    const guard = new AuthFailureGuard({ spikePerMinute: 0, throttlePerMinute: 3 });
    for (let i = 0; i < 3; i++) guard.fail("10.0.0.1", undefined, "KEY_MISSING", T);
    expect(guard.throttling).toBe(false);
    guard.fail("10.0.0.1", undefined, "KEY_NOT_FOUND", T + 1);
    expect(guard.throttling).toBe(true);
    expect(guard.retryAfter("10.0.0.1", T + 2)).toBe(50);
    expect(guard.retryAfter("10.0.0.1", T + 49_500)).toBe(1);
    expect(guard.retryAfter("10.0.0.2", T + 2)).toBe(0);
    expect(guard.retryAfter(undefined, T + 2)).toBe(0);
    // The next minute starts clean.
    expect(guard.retryAfter("10.0.0.1", T + 50_000)).toBe(0);
    expect(guard.throttling).toBe(false);
    expect(guard.stats()).toMatchObject({ failures: 4, throttled: 2 });
  });

  it("does not throttle for expired or revoked keys: a client lagging behind a rotation keeps its valid key", () => {
    const guard = new AuthFailureGuard({ spikePerMinute: 0, throttlePerMinute: 3 });
    const secret = generateKeySecret(cryptoRandom, "live");
    for (let i = 0; i < 50; i++)
      guard.fail("10.0.0.1", secret, i % 2 === 0 ? "KEY_REVOKED" : "KEY_EXPIRED", T);
    expect(guard.throttling).toBe(false);
    expect(guard.retryAfter("10.0.0.1", T + 1)).toBe(0);
    for (let i = 0; i < 4; i++) guard.fail("10.0.0.1", undefined, "KEY_MALFORMED", T + 2);
    expect(guard.retryAfter("10.0.0.1", T + 3)).toBeGreaterThan(0);
  });

  it("queues one spike per IP and per key hint when it passes the threshold, with the minute's count", () => {
    const guard = new AuthFailureGuard({ spikePerMinute: 2, throttlePerMinute: 0 });
    const secret = generateKeySecret(cryptoRandom, "live");
    for (let i = 0; i < 5; i++) guard.fail("10.0.0.1", secret, "KEY_REVOKED", T + i);
    guard.fail("10.0.0.2", "not-a-key", "KEY_MALFORMED", T);
    guard.fail("10.0.0.2", "not-a-key", "KEY_MALFORMED", T);
    guard.fail("10.0.0.2", "not-a-key", "KEY_MALFORMED", T);
    const spikes = guard.drainSpikes();
    expect(spikes).toEqual([
      { dimension: "clientIp", subject: "10.0.0.1", minute: Date.UTC(2026, 0, 1, 12), failures: 5 },
      { dimension: "keyHint", subject: keyHint(secret), minute: Date.UTC(2026, 0, 1, 12), failures: 5 },
      { dimension: "clientIp", subject: "10.0.0.2", minute: Date.UTC(2026, 0, 1, 12), failures: 3 },
    ]);
    expect(guard.drainSpikes()).toEqual([]);
    // Nothing of a malformed secret is kept, and of a well-formed one only its display hint.
    expect(JSON.stringify(spikes)).not.toContain(secret);
    expect(JSON.stringify(spikes)).not.toContain("not-a-key");
    guard.fail("10.0.0.1", secret, "KEY_REVOKED", T + 60_000);
    guard.fail("10.0.0.1", secret, "KEY_REVOKED", T + 60_000);
    expect(guard.drainSpikes()).toEqual([]);
    guard.fail("10.0.0.1", secret, "KEY_REVOKED", T + 60_000);
    expect(guard.drainSpikes().map((s) => s.minute)).toEqual([
      Date.UTC(2026, 0, 1, 12, 1),
      Date.UTC(2026, 0, 1, 12, 1),
    ]);
  });

  it("stays within its bound: the oldest client is forgotten first", () => {
    const guard = new AuthFailureGuard({ spikePerMinute: 0, throttlePerMinute: 2, maxTracked: 3 });
    for (const ip of ["a", "b", "c", "d"]) guard.fail(ip, undefined, "KEY_MISSING", T);
    expect(guard.stats().trackedClients).toBe(3);
    // "a" was forgotten: it starts over at 1.
    guard.fail("a", undefined, "KEY_MISSING", T);
    guard.fail("a", undefined, "KEY_MISSING", T);
    expect(guard.throttling).toBe(false);
    guard.fail("a", undefined, "KEY_MISSING", T);
    expect(guard.throttling).toBe(true);
  });
});
