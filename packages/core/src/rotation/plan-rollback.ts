import type { KeyRecord, Rotation } from "../model.ts";

export type RollbackDecision =
  | {
      readonly type: "rollback";
      readonly oldKey: KeyRecord;
      readonly newKey: KeyRecord;
      readonly rotation: Rotation;
    }
  | { readonly type: "reject"; readonly detail: string };

/**
 * Restoring the old key is only safe while the successor is still the newest
 * key of the lineage; otherwise the lineage would end up with two active keys.
 * A rotation always stamps `deprecatedAt` on the key it replaces (and only a
 * rollback, which revokes that key's own successor, clears it), so a revoked
 * successor that carries `deprecatedAt` may have a live successor of its own:
 * refuse it too (a due-then-revoked successor is refused as well, to be safe).
 */
function wasRotatedAgain(newKey: KeyRecord): boolean {
  if (newKey.status === "deprecated" || newKey.status === "expired") return true;
  return newKey.status === "revoked" && newKey.deprecatedAt !== null;
}

/**
 * Rollback during the overlap: the old key is `active` again (its deprecation
 * and sunset cleared) and the successor is revoked with reason `rolled_back`.
 */
export function planRollback(
  rotation: Rotation,
  oldKey: KeyRecord,
  newKey: KeyRecord,
  now: number,
): RollbackDecision {
  if (rotation.state !== "overlapping") {
    return { type: "reject", detail: `rotation ${rotation.id} is ${rotation.state}` };
  }
  if (now >= rotation.sunsetAt) {
    return { type: "reject", detail: `rotation ${rotation.id} passed its sunset; the old key is retired` };
  }
  if (oldKey.status !== "deprecated") {
    return { type: "reject", detail: `old key ${oldKey.id} is ${oldKey.status} and cannot be restored` };
  }
  if (wasRotatedAgain(newKey)) {
    return {
      type: "reject",
      detail: `new key ${newKey.id} was rotated again; roll back the newest rotation of the lineage first`,
    };
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
