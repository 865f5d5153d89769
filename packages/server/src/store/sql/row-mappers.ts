import type {
  Actor,
  AdminToken,
  AuditEntry,
  AuditInput,
  CompletedReason,
  Consumer,
  EventType,
  KeyEnv,
  KeyRecord,
  KeyStatus,
  Metadata,
  OutboxEvent,
  Plan,
  RetirePolicy,
  Rotation,
  RotationPolicy,
  RotationState,
} from "@keygate/core";
import type { Selectable } from "kysely";
import type {
  AdminTokensTable,
  AuditLogTable,
  ConsumersTable,
  KeysTable,
  OutboxTable,
  PlansTable,
  RotationsTable,
} from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

// String columns holding domain unions are only ever written from the typed
// domain records below, so reading them back narrows by assertion.

export function toPlan(row: Selectable<PlansTable>, d: SqlDialect): Plan {
  return {
    name: row.name,
    rateLimit:
      row.rate_limit === null || row.rate_window_seconds === null
        ? null
        : { limit: row.rate_limit, windowSeconds: row.rate_window_seconds },
    quota:
      row.quota_limit === null || row.quota_period === null
        ? null
        : { limit: row.quota_limit, period: row.quota_period as "day" | "month" },
    scopes: (d.readJson(row.scopes) ?? null) as string[] | null,
    updatedAt: row.updated_at,
  };
}

export function toConsumer(row: Selectable<ConsumersTable>, d: SqlDialect): Consumer {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    plan: row.plan,
    metadata: d.readJson(row.metadata) as Metadata,
    disabled: row.disabled === true || row.disabled === 1,
    rotationPolicy: (d.readJson(row.rotation_policy) ?? null) as RotationPolicy | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toKey(row: Selectable<KeysTable>, d: SqlDialect): KeyRecord {
  return {
    id: row.id,
    consumerId: row.consumer_id,
    name: row.name,
    scopes: d.readJson(row.scopes) as string[],
    env: row.env as KeyEnv,
    lineageId: row.lineage_id,
    version: row.version,
    status: row.status as KeyStatus,
    hash: row.hash,
    hint: row.hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    deprecatedAt: row.deprecated_at,
    sunsetAt: row.sunset_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    lastUsedAt: row.last_used_at,
    metadata: d.readJson(row.metadata) as Metadata,
    createdBy: row.created_by,
    allowedIps: (d.readJson(row.allowed_ips) ?? null) as string[] | null,
    revision: row.revision,
  };
}

export function toRotation(row: Selectable<RotationsTable>): Rotation {
  return {
    id: row.id,
    lineageId: row.lineage_id,
    consumerId: row.consumer_id,
    oldKeyId: row.old_key_id,
    newKeyId: row.new_key_id,
    startedAt: row.started_at,
    sunsetAt: row.sunset_at,
    retire: row.retire as RetirePolicy,
    idleSeconds: row.idle_seconds,
    state: row.state as RotationState,
    completedAt: row.completed_at,
    completedReason: row.completed_reason as CompletedReason | null,
  };
}

export function toAdminToken(row: Selectable<AdminTokensTable>): AdminToken {
  return {
    id: row.id,
    name: row.name,
    hash: row.hash,
    role: row.role as AdminToken["role"],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
  };
}

export function toAuditEntry(row: Selectable<AuditLogTable>, d: SqlDialect): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: d.readJson(row.actor) as Actor,
    action: row.action,
    targetType: row.target_type as AuditInput["targetType"],
    targetId: row.target_id,
    data: d.readJson(row.data) as Metadata,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function toOutboxEvent(
  row: Pick<Selectable<OutboxTable>, "id" | "type" | "at" | "data" | "attempts">,
  d: SqlDialect,
): OutboxEvent {
  return {
    id: row.id,
    type: row.type as EventType,
    at: row.at,
    data: d.readJson(row.data) as Metadata,
    attempts: row.attempts,
  };
}
