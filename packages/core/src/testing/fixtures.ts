import type { Consumer, KeyRecord, Rotation } from "../model.ts";

/** Test-only record builders: plausible defaults, overridden per test. */

export const T0 = Date.UTC(2025, 0, 1);

export function makeConsumer(overrides: Partial<Consumer> = {}): Consumer {
  return {
    id: "con_test",
    name: "Acme",
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

export function makeKey(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: "key_1",
    consumerId: "con_test",
    name: "default",
    scopes: ["read"],
    env: "live",
    lineageId: "lin_1",
    version: 1,
    status: "active",
    hash: "a".repeat(64),
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

export function makeRotation(overrides: Partial<Rotation> = {}): Rotation {
  return {
    id: "rot_1",
    lineageId: "lin_1",
    consumerId: "con_test",
    oldKeyId: "key_1",
    newKeyId: "key_2",
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
