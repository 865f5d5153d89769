import type { KeyRecord, Rotation } from "../model.ts";

export type RollbackDecision =
  | { readonly type: "rollback"; readonly oldKey: KeyRecord; readonly newKey: KeyRecord; readonly rotation: Rotation }
  | { readonly type: "reject"; readonly detail: string };

/**
 * Rollback during the overlap: the old key is `active` again (its deprecation
 * and sunset cleared) and the successor is revoked with reason `rolled_back`.
 */
export function planRollback(rotation: Rotation, oldKey: KeyRecord, newKey: KeyRecord, now: number): RollbackDecision {
  if (rotation.state !== "overlapping") {
    return { type: "reject", detail: `rotation ${rotation.id} is ${rotation.state}` };
  }
  if (now >= rotation.sunsetAt) {
    return { type: "reject", detail: `rotation ${rotation.id} passed its sunset; the old key is retired` };
  }
  if (oldKey.status !== "deprecated") {
    return { type: "reject", detail: `old key ${oldKey.id} is ${oldKey.status} and cannot be restored` };
  }
  return {
    type: "rollback",
    oldKey: { ...oldKey, status: "active", deprecatedAt: null, sunsetAt: null },
    newKey:
      newKey.status === "revoked"
        ? newKey
        : { ...newKey, status: "revoked", revokedAt: now, revokedReason: "rolled_back" },
    rotation: { ...rotation, state: "rolled_back", completedAt: now, completedReason: null },
  };
}
