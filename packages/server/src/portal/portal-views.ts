import type { Consumer, KeyRecord, Rotation } from "@keygate/core";
import { effectiveStatus } from "@keygate/core";
import { rotationTrafficView } from "../admin/analytics-views.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import { analyticsStoreOf } from "../usage/analytics-store-of.ts";
import { rotationTraffic } from "../usage/usage-reports.ts";
import { HOUR_MS, lastBuckets } from "../usage/usage-series.ts";
import type { PortalKeyView, PortalRotationView } from "./portal-view-schemas.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** An explicit allow-list of fields: a hash can never slip into an answer by being added to the record. */
export function portalKeyView(
  key: KeyRecord,
  now: number,
  requests24h: number,
  open: Rotation | undefined,
): PortalKeyView {
  return {
    id: key.id,
    name: key.name,
    scopes: [...key.scopes],
    env: key.env,
    status: effectiveStatus(key, now),
    hint: key.hint,
    version: key.version,
    lineageId: key.lineageId,
    createdAt: iso(key.createdAt),
    expiresAt: isoOrNull(key.expiresAt),
    deprecatedAt: isoOrNull(key.deprecatedAt),
    sunsetAt: isoOrNull(key.sunsetAt),
    revokedAt: isoOrNull(key.revokedAt),
    revokedReason: key.revokedReason,
    lastUsedAt: isoOrNull(key.lastUsedAt),
    createdBy: key.createdBy,
    allowedIps: key.allowedIps === null ? null : [...key.allowedIps],
    requests24h,
    openRotation:
      open === undefined
        ? null
        : {
            id: open.id,
            role: open.oldKeyId === key.id ? "old" : "new",
            sunsetAt: iso(open.sunsetAt),
            state: "overlapping",
          },
  };
}

/**
 * Views of some of a consumer's keys with their requests in the last 24
 * hours and their open rotation: three reads for the whole list.
 */
export async function portalKeyViews(
  deps: ServiceDeps,
  consumer: Consumer,
  keys: readonly KeyRecord[],
): Promise<PortalKeyView[]> {
  const now = deps.clock.now();
  const [sums, open] = await Promise.all([
    analyticsStoreOf(deps.store).keyUsage(
      keys.map((k) => k.id),
      lastBuckets(now, 24, HOUR_MS),
    ),
    deps.store.listRotations({ state: "overlapping", consumerId: consumer.id, limit: 1000 }),
  ]);
  const requests = new Map<string, number>();
  for (const sum of sums) requests.set(sum.keyId, (requests.get(sum.keyId) ?? 0) + sum.count);
  const rotationOf = (key: KeyRecord) => open.find((r) => r.oldKeyId === key.id || r.newKeyId === key.id);
  return keys.map((key) => portalKeyView(key, now, requests.get(key.id) ?? 0, rotationOf(key)));
}

export async function portalRotationView(deps: ServiceDeps, rotation: Rotation): Promise<PortalRotationView> {
  const traffic = await rotationTraffic(analyticsStoreOf(deps.store), rotation, deps.clock.now());
  return {
    id: rotation.id,
    lineageId: rotation.lineageId,
    oldKeyId: rotation.oldKeyId,
    newKeyId: rotation.newKeyId,
    startedAt: iso(rotation.startedAt),
    sunsetAt: iso(rotation.sunsetAt),
    state: rotation.state,
    completedAt: isoOrNull(rotation.completedAt),
    completedReason: rotation.completedReason,
    traffic: rotationTrafficView(traffic),
  };
}
