import type { CompletedReason, KeyRecord, Rotation } from "../model.ts";

export type CompletionDecision =
  | { readonly type: "complete"; readonly oldKey: KeyRecord; readonly rotation: Rotation }
  | { readonly type: "reject"; readonly detail: string };

/**
 * Retires the old key of an overlapping rotation now: by an operator
 * (`manual`), or by the retirement job (`deadline`, `idle`). A revoked old key
 * stays revoked; the rotation still completes.
 */
export function planCompletion(
  rotation: Rotation,
  oldKey: KeyRecord,
  now: number,
  reason: CompletedReason,
): CompletionDecision {
  if (rotation.state !== "overlapping") {
    return { type: "reject", detail: `rotation ${rotation.id} is ${rotation.state}` };
  }
  const retiredAt = Math.min(now, rotation.sunsetAt);
  const retired: KeyRecord =
    oldKey.status === "revoked"
      ? oldKey
      : { ...oldKey, status: "expired", sunsetAt: Math.min(oldKey.sunsetAt ?? retiredAt, retiredAt) };
  return {
    type: "complete",
    oldKey: retired,
    rotation: { ...rotation, state: "completed", completedAt: now, completedReason: reason },
  };
}
