import type { KeyRecord, Rotation } from "../model.ts";

export type RetireDecision =
  | { readonly type: "retire"; readonly reason: "deadline" | "idle" }
  | { readonly type: "keep" };

const KEEP: RetireDecision = { type: "keep" };

/**
 * Decides whether an overlapping rotation's old key should be retired now.
 * `deadline`: at `sunsetAt`. `idle`: as soon as the new key has been used and
 * the old one has not been used for `idleSeconds`; `sunsetAt` stays the
 * latest moment either way.
 */
export function decideRetirement(
  rotation: Rotation,
  oldKey: Pick<KeyRecord, "lastUsedAt">,
  newKey: Pick<KeyRecord, "lastUsedAt">,
  now: number,
): RetireDecision {
  if (rotation.state !== "overlapping") return KEEP;
  if (now >= rotation.sunsetAt) return { type: "retire", reason: "deadline" };
  if (rotation.retire !== "idle" || newKey.lastUsedAt === null) return KEEP;
  const oldLastUse = oldKey.lastUsedAt ?? Number.NEGATIVE_INFINITY;
  return now - oldLastUse >= rotation.idleSeconds * 1000 ? { type: "retire", reason: "idle" } : KEEP;
}
