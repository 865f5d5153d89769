import type { KeyRecord } from "../model.ts";
import { decideKeyValidity } from "./verify-key.ts";

export type DueDecision =
  | { readonly type: "due"; readonly key: KeyRecord }
  | { readonly type: "reject"; readonly detail: string; readonly code: "CONFLICT" | "VALIDATION_FAILED" };

/**
 * Marks a key due for rotation: it stays valid, but every response made with
 * it carries `Deprecation: @<dueAt>` (which may be in the future) and
 * `Sunset: <sunsetAt>`, the moment it stops working. Used by
 * `request-rotation` (due now) and by rotation policies (due at max age).
 */
export function planDue(key: KeyRecord, dueAt: number, sunsetAt: number, now: number): DueDecision {
  const validity = decideKeyValidity(key, now);
  if (validity.type === "invalid" || key.status !== "active") {
    const status =
      validity.type === "invalid" ? (validity.code === "KEY_REVOKED" ? "revoked" : "expired") : key.status;
    return {
      type: "reject",
      code: "CONFLICT",
      detail: `key ${key.id} is ${status}; only an active key can become due`,
    };
  }
  if (sunsetAt <= now)
    return { type: "reject", code: "VALIDATION_FAILED", detail: "sunsetAt must lie in the future" };
  if (sunsetAt < dueAt)
    return { type: "reject", code: "VALIDATION_FAILED", detail: "sunsetAt must not precede the due date" };
  return { type: "due", key: { ...key, deprecatedAt: dueAt, sunsetAt } };
}
