import type { UsageRange, UsageSum } from "@keygate/core";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Longest series one answer holds: a day of minutes, two months of hours, four years of days. */
export const MAX_BUCKETS = 1440;

export type Granularity = "minute" | "hour" | "day";

export const BUCKET_MS: Readonly<Record<Granularity, number>> = Object.freeze({
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: DAY_MS,
});

/** One bucket of a continuous series: every bucket of the range is present, empty ones with 0. */
export interface SeriesPoint {
  readonly at: number;
  readonly total: number;
  readonly outcomes: Record<string, number>;
}

export function floorTo(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}

export function ceilTo(ms: number, bucketMs: number): number {
  return Math.ceil(ms / bucketMs) * bucketMs;
}

/** The `count` buckets ending with the one `now` falls in (the running minute, hour or day included). */
export function lastBuckets(now: number, count: number, bucketMs: number): UsageRange {
  const to = floorTo(now, bucketMs) + bucketMs;
  return { from: to - count * bucketMs, to, bucketMs };
}

/** Sums into one point per bucket of `range`, in order, zeros included. */
export function continuousSeries(sums: readonly UsageSum[], range: UsageRange): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  const index = new Map<number, SeriesPoint>();
  for (let at = range.from; at < range.to; at += range.bucketMs) {
    const point: SeriesPoint = { at, total: 0, outcomes: {} };
    points.push(point);
    index.set(at, point);
  }
  for (const sum of sums) {
    const point = index.get(sum.at);
    if (point === undefined) continue;
    point.outcomes[sum.code] = (point.outcomes[sum.code] ?? 0) + sum.count;
    (point as { total: number }).total += sum.count;
  }
  return points;
}
