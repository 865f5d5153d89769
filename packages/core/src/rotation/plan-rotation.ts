import { decideKeyValidity } from "../keys/verify-key.ts";
import type { Consumer, KeyRecord, RetirePolicy, Rotation } from "../model.ts";

export const DEFAULT_OVERLAP_SECONDS = 86_400;
export const DEFAULT_IDLE_SECONDS = 900;
/** An overlap longer than a year is almost certainly a unit mistake. */
export const MAX_OVERLAP_SECONDS = 366 * 86_400;

export interface RotationOptions {
  readonly overlapSeconds?: number | undefined;
  readonly retire?: RetirePolicy | undefined;
  readonly idleSeconds?: number | undefined;
}

export interface RotationInput {
  readonly old: KeyRecord;
  readonly consumer: Consumer;
  readonly options: RotationOptions;
  readonly now: number;
  /** Highest version in the lineage (a rolled-back successor still holds its number). */
  readonly lineageMaxVersion: number;
  /** Identity of the successor, made by the caller (it holds the secret, core never does). */
  readonly successor: { readonly id: string; readonly hash: string; readonly hint: string };
  readonly rotationId: string;
}

/** The changes one rotation makes; the store applies them in one transaction. */
export interface RotationPlan {
  readonly type: "rotate";
  readonly newKey: KeyRecord;
  /** The old key as it must be after the rotation; applied only if it is still `active`. */
  readonly oldKey: KeyRecord;
  readonly rotation: Rotation;
  /** True for `overlapSeconds = 0`: the old key is invalid at once. */
  readonly emergency: boolean;
}

export type RotationDecision = RotationPlan | { readonly type: "reject"; readonly detail: string };

/**
 * Plans `rotate(key, {overlapSeconds, retire})`. Only the newest valid key of
 * a lineage may be rotated: that is exactly the lineage's `active` key, since a
 * rotation deprecates its predecessor and a rollback revokes the successor.
 *
 * For a key already due (request-rotation or a policy), the old key keeps
 * working until the earlier of its `sunsetAt` and the end of the overlap.
 */
export function planRotation(input: RotationInput): RotationDecision {
  const { old, consumer, options, now } = input;
  const validity = decideKeyValidity(old, now);
  if (validity.type === "invalid") {
    return {
      type: "reject",
      detail: `key ${old.id} is ${validity.code === "KEY_REVOKED" ? "revoked" : "expired"}`,
    };
  }
  if (old.status !== "active") {
    return {
      type: "reject",
      detail: `key ${old.id} is ${old.status}; only the newest key of a lineage can be rotated`,
    };
  }
  const overlapSeconds =
    options.overlapSeconds ?? consumer.rotationPolicy?.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  const retire = options.retire ?? "deadline";
  const idleSeconds = options.idleSeconds ?? DEFAULT_IDLE_SECONDS;
  // NaN would make the sunset never arrive and a negative overlap would record an
  // "overlapping" rotation whose old key is already dead: refuse both here too.
  if (!(overlapSeconds >= 0 && overlapSeconds <= MAX_OVERLAP_SECONDS)) {
    return { type: "reject", detail: `overlapSeconds must lie between 0 and ${MAX_OVERLAP_SECONDS}` };
  }
  if (!(idleSeconds >= 0 && Number.isFinite(idleSeconds))) {
    return { type: "reject", detail: "idleSeconds must be a non-negative number" };
  }
  const overlapEnd = now + Math.round(overlapSeconds * 1000);
  const sunsetAt = old.sunsetAt !== null && old.sunsetAt < overlapEnd ? old.sunsetAt : overlapEnd;
  const emergency = overlapSeconds === 0;

  const newKey: KeyRecord = {
    id: input.successor.id,
    consumerId: old.consumerId,
    name: old.name,
    scopes: old.scopes,
    env: old.env,
    lineageId: old.lineageId,
    version: input.lineageMaxVersion + 1,
    status: "active",
    hash: input.successor.hash,
    hint: input.successor.hint,
    createdAt: now,
    expiresAt: old.expiresAt,
    deprecatedAt: null,
    sunsetAt: null,
    revokedAt: null,
    revokedReason: null,
    lastUsedAt: null,
    metadata: old.metadata,
    createdBy: old.createdBy,
    allowedIps: old.allowedIps,
    revision: 0,
  };
  const oldKey: KeyRecord = {
    ...old,
    status: emergency ? "expired" : "deprecated",
    deprecatedAt: now,
    sunsetAt,
  };
  const rotation: Rotation = {
    id: input.rotationId,
    lineageId: old.lineageId,
    consumerId: old.consumerId,
    oldKeyId: old.id,
    newKeyId: newKey.id,
    startedAt: now,
    sunsetAt,
    retire,
    idleSeconds,
    state: emergency ? "completed" : "overlapping",
    completedAt: emergency ? now : null,
    completedReason: emergency ? "deadline" : null,
  };
  return { type: "rotate", newKey, oldKey, rotation, emergency };
}
