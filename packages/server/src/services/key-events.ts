import type { KeyRecord, OutboxEventInput, Rotation } from "@keygate/core";
import { eventId, type ServiceDeps } from "./service-deps.ts";

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

/** The `rotation.completed` event of a rotation that completes at `now`. */
export function rotationCompletedEvent(deps: ServiceDeps, rotation: Rotation, now: number): OutboxEventInput {
  return { id: eventId(deps, now), type: "rotation.completed", at: now, data: rotationSummary(rotation) };
}
