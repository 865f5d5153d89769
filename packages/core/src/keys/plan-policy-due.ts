import type { KeyRecord, RotationPolicy } from "../model.ts";
import { DEFAULT_OVERLAP_SECONDS } from "../rotation/plan-rotation.ts";
import { decideKeyValidity } from "./verify-key.ts";

const DAY_MS = 86_400_000;
/**
 * The shortest warning a key made due by a policy gets before its sunset,
 * even with `overlapSeconds: 0` and a key already past its due date: a policy
 * never ends a key without notice.
 */
export const MIN_DUE_NOTICE_MS = 60_000;

export type PolicyDueDecision =
  /** Mark the key due now: `Deprecation: @dueAt` (which may lie in the future) and `Sunset: sunsetAt`. */
  | { readonly type: "due"; readonly dueAt: number; readonly sunsetAt: number }
  /** Not yet: the policy starts signalling at `notifyAt`. */
  | { readonly type: "wait"; readonly notifyAt: number }
  /** Nothing to do: no policy age, a key already due or deprecated, or not valid. */
  | { readonly type: "none" };

const NONE: PolicyDueDecision = { type: "none" };

/**
 * Applies a consumer's rotation policy to one key: the key is due at
 * `createdAt + maxAgeDays`, and is marked due `notifyBeforeDays` earlier. It
 * then keeps working until `dueAt + overlapSeconds` (default 86,400) — or,
 * for a key already overdue when the policy first sees it, until one overlap
 * (at least `MIN_DUE_NOTICE_MS`) from now.
 */
export function planPolicyDue(key: KeyRecord, policy: RotationPolicy | null, now: number): PolicyDueDecision {
  if (policy === null || policy.maxAgeDays === null) return NONE;
  if (key.status !== "active" || key.deprecatedAt !== null) return NONE;
  if (decideKeyValidity(key, now).type === "invalid") return NONE;
  const dueAt = key.createdAt + Math.round(policy.maxAgeDays * DAY_MS);
  const notifyAt = dueAt - Math.round((policy.notifyBeforeDays ?? 0) * DAY_MS);
  if (now < notifyAt) return { type: "wait", notifyAt };
  const overlapMs = Math.round((policy.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS) * 1000);
  const sunsetAt = Math.max(dueAt + overlapMs, now + Math.max(overlapMs, MIN_DUE_NOTICE_MS));
  return { type: "due", dueAt, sunsetAt };
}
