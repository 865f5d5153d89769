import type { Random } from "@keygate/core";

/** When a failed delivery is tried again. */
export interface RetryPolicy {
  /**
   * Delay after the 1st, 2nd, … failed attempt, in milliseconds; the last
   * entry repeats. Each delay is spread by ±20 % jitter, so receivers that
   * come back are not hit by every queued delivery at the same instant.
   */
  readonly scheduleMs: readonly number[];
  /** Attempts per (re)delivery before the delivery is `failed`. */
  readonly maxAttempts: number;
}

/**
 * 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then every 8 h: with 12
 * attempts the last one comes about 31.7 h after the event (at least 25.4 h
 * with the jitter), so a receiver may be down for a whole day.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800,
];
export const DEFAULT_MAX_ATTEMPTS = 12;

export const JITTER = 0.2;

export type RetryDecision = { readonly type: "retry"; readonly at: number } | { readonly type: "give_up" };

/** A uniform number in [0, 1) from the injected CSPRNG. */
function unit(random: Random): number {
  const bytes = random.bytes(4);
  const value = ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  return (value >>> 0) / 2 ** 32;
}

/** What follows the `attemptsInRound`-th failed attempt of a delivery (1 after the first). */
export function decideRetry(
  policy: RetryPolicy,
  attemptsInRound: number,
  now: number,
  random: Random,
): RetryDecision {
  if (attemptsInRound >= policy.maxAttempts) return { type: "give_up" };
  const index = Math.min(Math.max(attemptsInRound - 1, 0), policy.scheduleMs.length - 1);
  const base = policy.scheduleMs[index] ?? 0;
  const factor = 1 - JITTER + 2 * JITTER * unit(random);
  return { type: "retry", at: now + Math.round(base * factor) };
}

/** The earliest moment (with the least jitter) the last attempt can come, after the first one. */
export function minimumRetrySpanMs(policy: RetryPolicy): number {
  let total = 0;
  for (let n = 1; n < policy.maxAttempts; n++) {
    total += policy.scheduleMs[Math.min(n - 1, policy.scheduleMs.length - 1)] ?? 0;
  }
  return total * (1 - JITTER);
}
