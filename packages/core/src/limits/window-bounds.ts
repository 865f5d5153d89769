import type { Quota } from "../model.ts";

/** A half-open interval `[start, end)` in epoch ms. */
export interface Bounds {
  readonly start: number;
  readonly end: number;
}

/**
 * The fixed rate-limit window holding `now`: windows of `windowSeconds`
 * aligned to the Unix epoch, so every node computes the same window (and the
 * same counter key) from its own clock.
 */
export function rateWindow(now: number, windowSeconds: number): Bounds {
  const length = windowSeconds * 1000;
  const start = Math.floor(now / length) * length;
  return { start, end: start + length };
}

/** The quota period holding `now`: the UTC calendar day or month. */
export function quotaPeriod(now: number, period: Quota["period"]): Bounds {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === "day") {
    const start = Date.UTC(year, month, date.getUTCDate());
    return { start, end: Date.UTC(year, month, date.getUTCDate() + 1) };
  }
  return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
}

/** Whole seconds from `now` until `at`, rounded up, at least 0. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}
