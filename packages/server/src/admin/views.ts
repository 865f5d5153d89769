import type { AuditEntry, Consumer, KeyRecord, Plan, Rotation } from "@keygate/core";
import { effectiveStatus } from "@keygate/core";
import type { AuditEntryView, ConsumerView, KeyView, PlanView, RotationView } from "./view-schemas.ts";

/**
 * Records as the admin API shows them: ISO 8601 times, and for keys an
 * explicit allow-list of fields, so a hash or a secret can never slip into a
 * response by being added to the record.
 */

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** `now` decides the status shown: a deprecated key past its sunset reads `expired`. */
export function keyView(key: KeyRecord, now: number): KeyView {
  return {
    id: key.id,
    consumerId: key.consumerId,
    name: key.name,
    scopes: [...key.scopes],
    env: key.env,
    lineageId: key.lineageId,
    version: key.version,
    status: effectiveStatus(key, now),
    hint: key.hint,
    createdAt: iso(key.createdAt),
    expiresAt: isoOrNull(key.expiresAt),
    deprecatedAt: isoOrNull(key.deprecatedAt),
    sunsetAt: isoOrNull(key.sunsetAt),
    revokedAt: isoOrNull(key.revokedAt),
    revokedReason: key.revokedReason,
    lastUsedAt: isoOrNull(key.lastUsedAt),
    metadata: key.metadata,
    createdBy: key.createdBy,
    allowedIps: key.allowedIps === null ? null : [...key.allowedIps],
  };
}

export function consumerView(consumer: Consumer): ConsumerView {
  return {
    id: consumer.id,
    name: consumer.name,
    email: consumer.email,
    plan: consumer.plan,
    metadata: consumer.metadata,
    disabled: consumer.disabled,
    rotationPolicy: consumer.rotationPolicy && {
      maxAgeDays: consumer.rotationPolicy.maxAgeDays,
      overlapSeconds: consumer.rotationPolicy.overlapSeconds,
      notifyBeforeDays: consumer.rotationPolicy.notifyBeforeDays,
    },
    createdAt: iso(consumer.createdAt),
    updatedAt: iso(consumer.updatedAt),
  };
}

/** A rotation as lists show it; `GET /v1/rotations/{id}` adds the traffic on both keys (`analytics-views.ts`). */
export function rotationView(rotation: Rotation): RotationView {
  return {
    id: rotation.id,
    lineageId: rotation.lineageId,
    consumerId: rotation.consumerId,
    oldKeyId: rotation.oldKeyId,
    newKeyId: rotation.newKeyId,
    startedAt: iso(rotation.startedAt),
    sunsetAt: iso(rotation.sunsetAt),
    retire: rotation.retire,
    idleSeconds: rotation.idleSeconds,
    state: rotation.state,
    completedAt: isoOrNull(rotation.completedAt),
    completedReason: rotation.completedReason,
  };
}

export function planView(plan: Plan): PlanView {
  return {
    name: plan.name,
    rateLimit: plan.rateLimit && { limit: plan.rateLimit.limit, windowSeconds: plan.rateLimit.windowSeconds },
    quota: plan.quota && { limit: plan.quota.limit, period: plan.quota.period },
    scopes: plan.scopes === null ? null : [...plan.scopes],
    updatedAt: iso(plan.updatedAt),
  };
}

export function auditEntryView(entry: AuditEntry): AuditEntryView {
  return {
    seq: entry.seq,
    at: iso(entry.at),
    actor: {
      type: entry.actor.type,
      id: entry.actor.id,
      ...(entry.actor.name === undefined ? {} : { name: entry.actor.name }),
    },
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    data: entry.data,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}
