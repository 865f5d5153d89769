import type {
  AdminToken,
  AuditInput,
  Consumer,
  KeyRecord,
  OutboxEventInput,
  Plan,
  Rotation,
  UnitOfWork,
  Write,
} from "@keygate/core";
import { nodeHasher } from "../../platform/node-platform.ts";

/** Builders of valid records for store contract tests; ids sort in creation order when numbered alike. */

export const T0 = 1_750_000_000_000;

export function consumer(id: string, overrides: Partial<Consumer> = {}): Consumer {
  return {
    id,
    name: `Consumer ${id}`,
    email: null,
    plan: null,
    metadata: {},
    disabled: false,
    rotationPolicy: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function key(id: string, consumerId: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id,
    consumerId,
    name: `key ${id}`,
    scopes: ["read"],
    env: "live",
    lineageId: `lin_${id}`,
    version: 1,
    status: "active",
    hash: nodeHasher.sha256Hex(`secret of ${id}`),
    hint: "kg_live_AbCd…wxyz",
    createdAt: T0,
    expiresAt: null,
    deprecatedAt: null,
    sunsetAt: null,
    revokedAt: null,
    revokedReason: null,
    lastUsedAt: null,
    metadata: {},
    createdBy: "operator:test",
    allowedIps: null,
    revision: 0,
    ...overrides,
  };
}

export function rotation(
  id: string,
  oldKey: KeyRecord,
  newKey: KeyRecord,
  overrides: Partial<Rotation> = {},
): Rotation {
  return {
    id,
    lineageId: oldKey.lineageId,
    consumerId: oldKey.consumerId,
    oldKeyId: oldKey.id,
    newKeyId: newKey.id,
    startedAt: T0,
    sunsetAt: T0 + 86_400_000,
    retire: "deadline",
    idleSeconds: 900,
    state: "overlapping",
    completedAt: null,
    completedReason: null,
    ...overrides,
  };
}

export function plan(name: string, overrides: Partial<Plan> = {}): Plan {
  return {
    name,
    rateLimit: { limit: 600, windowSeconds: 60 },
    quota: { limit: 500_000, period: "month" },
    scopes: null,
    updatedAt: T0,
    ...overrides,
  };
}

export function adminToken(id: string, overrides: Partial<AdminToken> = {}): AdminToken {
  return {
    id,
    name: `token ${id}`,
    hash: nodeHasher.sha256Hex(`admin secret of ${id}`),
    role: "admin",
    createdAt: T0,
    expiresAt: null,
    lastUsedAt: null,
    createdBy: null,
    revokedAt: null,
    ...overrides,
  };
}

export function audit(action: string, targetId: string, data: AuditInput["data"] = {}): AuditInput {
  return { at: T0, actor: { type: "admin", id: "adm_root" }, action, targetType: "key", targetId, data };
}

export function event(id: string, at = T0, data: OutboxEventInput["data"] = {}): OutboxEventInput {
  return { id, type: "key.created", at, data };
}

export function unit(
  writes: Write[],
  auditInputs: AuditInput[] = [],
  events: OutboxEventInput[] = [],
): UnitOfWork {
  return { writes, audit: auditInputs, events };
}

/** A consumer with one key, committed as one unit with one audit entry. */
export function consumerWithKey(n: number): { consumer: Consumer; key: KeyRecord; unit: UnitOfWork } {
  const c = consumer(`con_${String(n).padStart(4, "0")}`);
  const k = key(`key_${String(n).padStart(4, "0")}`, c.id);
  return {
    consumer: c,
    key: k,
    unit: unit(
      [
        { type: "insertConsumer", consumer: c },
        { type: "insertKey", key: k },
      ],
      [audit("key.create", k.id)],
      [event(`evt_${String(n).padStart(4, "0")}`)],
    ),
  };
}
