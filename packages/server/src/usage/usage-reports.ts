import type { KeyRecord, Rotation } from "@keygate/core";
import type { AnalyticsReadStore } from "./analytics-store-of.ts";
import { continuousSeries, lastBuckets, MINUTE_MS, type SeriesPoint } from "./usage-series.ts";

/** Minutes of `perMinute` in a rotation's traffic, and of `requestsPerMinute` in the overview. */
const TRAFFIC_MINUTES = 30;
const PROGRESS_MINUTES = 15;
const STATS_MINUTES = 60;

export interface KeyTraffic {
  readonly keyId: string;
  readonly lastUsedAt: number | null;
  readonly requestsLast15m: number;
  readonly perMinute: ReadonlyArray<{ readonly at: number; readonly total: number }>;
}

export interface RotationTraffic {
  readonly old: KeyTraffic;
  readonly new: KeyTraffic;
  /** Share of the two keys' requests on the new key over the last 15 minutes; null without requests. */
  readonly progress: number | null;
}

function keyTraffic(key: Pick<KeyRecord, "id" | "lastUsedAt">, series: readonly SeriesPoint[]): KeyTraffic {
  return {
    keyId: key.id,
    lastUsedAt: key.lastUsedAt,
    requestsLast15m: series.slice(-PROGRESS_MINUTES).reduce((sum, p) => sum + p.total, 0),
    perMinute: series.map((p) => ({ at: p.at, total: p.total })),
  };
}

/**
 * Traffic on a rotation's old and new keys: last use, requests per minute
 * (every outcome: a client still calling with a retired key is traffic that
 * has not moved) and how much of it is on the new key.
 */
export async function rotationTraffic(
  store: AnalyticsReadStore,
  rotation: Rotation,
  now: number,
): Promise<RotationTraffic> {
  const range = lastBuckets(now, TRAFFIC_MINUTES, MINUTE_MS);
  const [oldKey, newKey, sums] = await Promise.all([
    store.getKey(rotation.oldKeyId),
    store.getKey(rotation.newKeyId),
    store.keyUsage([rotation.oldKeyId, rotation.newKeyId], range),
  ]);
  const seriesOf = (keyId: string) =>
    continuousSeries(
      sums.filter((s) => s.keyId === keyId),
      range,
    );
  const old = keyTraffic(
    { id: rotation.oldKeyId, lastUsedAt: oldKey?.lastUsedAt ?? null },
    seriesOf(rotation.oldKeyId),
  );
  const successor = keyTraffic(
    { id: rotation.newKeyId, lastUsedAt: newKey?.lastUsedAt ?? null },
    seriesOf(rotation.newKeyId),
  );
  const total = old.requestsLast15m + successor.requestsLast15m;
  return { old, new: successor, progress: total === 0 ? null : successor.requestsLast15m / total };
}

export interface StatsReport {
  readonly keys: Awaited<ReturnType<AnalyticsReadStore["countKeysByStatus"]>>;
  readonly consumers: number;
  readonly rotationsInProgress: number;
  readonly requestsPerMinute: ReadonlyArray<{ at: number; total: number; valid: number; failed: number }>;
}

/** The overview: keys by status, consumers, open rotations, and every request of the last hour per minute. */
export async function statsReport(store: AnalyticsReadStore, now: number): Promise<StatsReport> {
  const range = lastBuckets(now, STATS_MINUTES, MINUTE_MS);
  const [keys, consumers, rotationsInProgress, sums] = await Promise.all([
    store.countKeysByStatus(now),
    store.countConsumers(),
    store.countRotations("overlapping"),
    store.totalUsage(range),
  ]);
  const requestsPerMinute = continuousSeries(sums, range).map((p) => {
    const valid = p.outcomes.VALID ?? 0;
    return { at: p.at, total: p.total, valid, failed: p.total - valid };
  });
  return { keys, consumers, rotationsInProgress, requestsPerMinute };
}
