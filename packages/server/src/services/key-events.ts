import type { KeyRecord, Rotation } from "@keygate/core";

/** Secret-free description of a key for audit entries and webhook payloads. */
export function keySummary(key: KeyRecord): Record<string, unknown> {
  return {
    keyId: key.id,
    consumerId: key.consumerId,
    lineageId: key.lineageId,
    version: key.version,
    hint: key.hint,
    status: key.status,
    env: key.env,
  };
}

export function rotationSummary(rotation: Rotation): Record<string, unknown> {
  return {
    rotationId: rotation.id,
    lineageId: rotation.lineageId,
    consumerId: rotation.consumerId,
    oldKeyId: rotation.oldKeyId,
    newKeyId: rotation.newKeyId,
    sunsetAt: new Date(rotation.sunsetAt).toISOString(),
    retire: rotation.retire,
    state: rotation.state,
    completedReason: rotation.completedReason,
  };
}
