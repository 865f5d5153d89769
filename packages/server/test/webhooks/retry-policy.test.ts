import type { Random } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { cryptoRandom } from "../../src/platform/node-platform.ts";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  decideRetry,
  JITTER,
  minimumRetrySpanMs,
  type RetryPolicy,
} from "../../src/webhooks/retry-policy.ts";

const DEFAULT: RetryPolicy = {
  scheduleMs: DEFAULT_RETRY_SCHEDULE_SECONDS.map((s) => s * 1000),
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
};
const constant = (byte: number): Random => ({ bytes: (n) => new Uint8Array(n).fill(byte) });
const HOUR = 3_600_000;

describe("webhook retry policy", () => {
  it("keeps retrying for more than 24 hours by default, even with the least jitter", () => {
    expect(minimumRetrySpanMs(DEFAULT)).toBeGreaterThan(24 * HOUR);
    // Replayed with the least jitter at every step: the same span.
    let at = 0;
    for (let n = 1; n < DEFAULT.maxAttempts; n++) {
      const decision = decideRetry(DEFAULT, n, at, constant(0));
      if (decision.type !== "retry") throw new Error(`gave up after ${n}`);
      at = decision.at;
    }
    expect(at).toBeGreaterThan(24 * HOUR);
    expect(decideRetry(DEFAULT, DEFAULT.maxAttempts, at, cryptoRandom)).toEqual({ type: "give_up" });
  });

  it("backs off along the schedule with ±20 % jitter, repeating the last step", () => {
    const policy: RetryPolicy = { scheduleMs: [1000, 10_000], maxAttempts: 5 };
    for (let i = 0; i < 200; i++) {
      const first = decideRetry(policy, 1, 0, cryptoRandom);
      const third = decideRetry(policy, 3, 0, cryptoRandom);
      if (first.type !== "retry" || third.type !== "retry") throw new Error("gave up early");
      expect(first.at).toBeGreaterThanOrEqual(1000 * (1 - JITTER));
      expect(first.at).toBeLessThanOrEqual(1000 * (1 + JITTER));
      expect(third.at).toBeGreaterThanOrEqual(10_000 * (1 - JITTER));
      expect(third.at).toBeLessThanOrEqual(10_000 * (1 + JITTER));
    }
    const low = decideRetry(policy, 2, 0, constant(0));
    const high = decideRetry(policy, 2, 0, constant(255));
    expect(low).toEqual({ type: "retry", at: 8000 });
    expect(high.type === "retry" && high.at > 11_900).toBe(true);
    expect(decideRetry(policy, 5, 0, cryptoRandom)).toEqual({ type: "give_up" });
  });
});
