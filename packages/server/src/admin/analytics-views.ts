import type { OutboxEventInput } from "@keygate/core";
import type { RotationTraffic, StatsReport } from "../usage/usage-reports.ts";
import type { SeriesPoint } from "../usage/usage-series.ts";
import type { AlertView, KeyUsageView, RotationTrafficView, StatsView } from "./analytics-view-schemas.ts";

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function keyUsageView(
  keyId: string,
  granularity: KeyUsageView["granularity"],
  from: number,
  to: number,
  series: readonly SeriesPoint[],
): KeyUsageView {
  return {
    keyId,
    granularity,
    from: iso(from),
    to: iso(to),
    series: series.map((p) => ({ at: iso(p.at), total: p.total, outcomes: { ...p.outcomes } })),
  };
}

export function rotationTrafficView(traffic: RotationTraffic): RotationTrafficView {
  const side = (t: RotationTraffic["old"]) => ({
    keyId: t.keyId,
    lastUsedAt: t.lastUsedAt === null ? null : iso(t.lastUsedAt),
    requestsLast15m: t.requestsLast15m,
    perMinute: t.perMinute.map((p) => ({ at: iso(p.at), total: p.total })),
  });
  return { old: side(traffic.old), new: side(traffic.new), progress: traffic.progress };
}

export function statsView(report: StatsReport): StatsView {
  return {
    keys: { ...report.keys },
    consumers: report.consumers,
    rotationsInProgress: report.rotationsInProgress,
    requestsPerMinute: report.requestsPerMinute.map((p) => ({ ...p, at: iso(p.at) })),
  };
}

export function alertView(event: OutboxEventInput): AlertView {
  return { id: event.id, type: event.type, at: iso(event.at), data: event.data };
}
