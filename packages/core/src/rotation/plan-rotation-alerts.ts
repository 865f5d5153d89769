import type { KeyRecord, Metadata, Rotation } from "../model.ts";

/** One alert an overlapping rotation's traffic calls for, before de-duplication. */
export interface AlertCandidate {
  readonly type: "key.deprecated_in_use" | "key.sunset_approaching";
  /**
   * What must be reported at most once while `dedupeMs` runs:
   * `key.deprecated_in_use:<oldKeyId>` (once per interval) or
   * `key.sunset_approaching:<rotationId>:<checkpoint>` (once per rotation).
   */
  readonly dedupeKey: string;
  readonly dedupeMs: number;
  /** Secret-free event payload. */
  readonly data: Metadata;
}

export interface RotationAlertOptions {
  /** `key.deprecated_in_use` at most once per this many ms per key. Default one hour. */
  readonly inUseIntervalMs?: number | undefined;
}

const HOUR_MS = 3_600_000;

/**
 * The two sunset checkpoints: less than an hour left, and less than a tenth
 * of the overlap left. Each is reported once per rotation, when the old key
 * is used after it passed.
 */
function checkpoints(rotation: Rotation): Array<{ name: string; remainingMs: number }> {
  return [
    { name: "1h", remainingMs: HOUR_MS },
    { name: "10%", remainingMs: (rotation.sunsetAt - rotation.startedAt) / 10 },
  ];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Decides which alerts an overlapping rotation calls for, from the old key's
 * last use (which the gateway records):
 * - `key.deprecated_in_use` when the old key was used during the overlap and
 *   within the last interval. With a de-duplication window of one interval
 *   from each report, a report is repeated only if the key was used after the
 *   previous one.
 * - `key.sunset_approaching` for each checkpoint the old key was used after.
 * Nothing once the rotation is over or its sunset has passed.
 */
export function planRotationAlerts(
  rotation: Rotation,
  oldKey: Pick<KeyRecord, "id" | "consumerId" | "lineageId" | "hint" | "lastUsedAt">,
  now: number,
  options: RotationAlertOptions = {},
): AlertCandidate[] {
  const lastUsedAt = oldKey.lastUsedAt;
  if (rotation.state !== "overlapping" || now >= rotation.sunsetAt) return [];
  if (lastUsedAt === null || lastUsedAt < rotation.startedAt) return [];
  const interval = options.inUseIntervalMs ?? HOUR_MS;
  const common = {
    keyId: oldKey.id,
    consumerId: oldKey.consumerId,
    lineageId: oldKey.lineageId,
    hint: oldKey.hint,
    rotationId: rotation.id,
    newKeyId: rotation.newKeyId,
    lastUsedAt: iso(lastUsedAt),
    sunsetAt: iso(rotation.sunsetAt),
  };
  const alerts: AlertCandidate[] = [];
  if (lastUsedAt > now - interval) {
    alerts.push({
      type: "key.deprecated_in_use",
      dedupeKey: `key.deprecated_in_use:${oldKey.id}`,
      dedupeMs: interval,
      data: common,
    });
  }
  for (const checkpoint of checkpoints(rotation)) {
    if (lastUsedAt < rotation.sunsetAt - checkpoint.remainingMs) continue;
    alerts.push({
      type: "key.sunset_approaching",
      dedupeKey: `key.sunset_approaching:${rotation.id}:${checkpoint.name}`,
      // Past the sunset the rotation is never looked at again; the margin covers clock skew between nodes.
      dedupeMs: rotation.sunsetAt - now + HOUR_MS,
      data: {
        ...common,
        checkpoint: checkpoint.name,
        remainingSeconds: Math.max(0, Math.round((rotation.sunsetAt - now) / 1000)),
      },
    });
  }
  return alerts;
}
