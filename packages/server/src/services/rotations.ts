import type { Actor, CompletedReason, OutboxEventInput, Rotation } from "@keygate/core";
import { KeygateError, planCompletion, planRollback } from "@keygate/core";
import { keySummary, rotationCompletedEvent, rotationSummary } from "./key-events.ts";
import { getKeyOrThrow } from "./rotate-key.ts";
import {
  auditEntry,
  commitOrConflict,
  eventId,
  notFound,
  publishChange,
  type ServiceDeps,
} from "./service-deps.ts";

export async function getRotationOrThrow(deps: ServiceDeps, id: string): Promise<Rotation> {
  const rotation = await deps.store.getRotation(id);
  if (!rotation) throw notFound("rotation", id);
  return rotation;
}

/** During the overlap: the old key is active again, the new one revoked (`rolled_back`). */
export async function rollbackRotation(deps: ServiceDeps, actor: Actor, rotationId: string) {
  const rotation = await getRotationOrThrow(deps, rotationId);
  const [oldKey, newKey] = await Promise.all([
    getKeyOrThrow(deps, rotation.oldKeyId),
    getKeyOrThrow(deps, rotation.newKeyId),
  ]);
  const now = deps.clock.now();
  const decision = planRollback(rotation, oldKey, newKey, now);
  if (decision.type === "reject") throw new KeygateError("CONFLICT", decision.detail);
  await commitOrConflict(
    deps,
    {
      writes: [
        { type: "updateKey", key: decision.oldKey, expectRevision: oldKey.revision },
        { type: "updateKey", key: decision.newKey, expectRevision: newKey.revision },
        { type: "updateRotation", rotation: decision.rotation, expectState: "overlapping" },
      ],
      audit: [
        auditEntry(
          now,
          actor,
          "rotation.rollback",
          "rotation",
          rotation.id,
          rotationSummary(decision.rotation),
        ),
      ],
      events: [
        {
          id: eventId(deps, now),
          type: "rotation.rolled_back",
          at: now,
          data: rotationSummary(decision.rotation),
        },
        {
          id: eventId(deps, now),
          type: "key.revoked",
          at: now,
          data: { ...keySummary(decision.newKey), reason: "rolled_back" },
        },
      ],
    },
    "rollback",
  );
  const change = await publishChange(deps, { keyIds: [oldKey.id, newKey.id] });
  return { rotation: decision.rotation, oldKey: decision.oldKey, newKey: decision.newKey, change };
}

/** Retires the old key now: by an operator (`manual`) or by the retirement job. */
export async function completeRotation(
  deps: ServiceDeps,
  actor: Actor,
  rotationId: string,
  reason: CompletedReason = "manual",
) {
  const rotation = await getRotationOrThrow(deps, rotationId);
  const oldKey = await getKeyOrThrow(deps, rotation.oldKeyId);
  const now = deps.clock.now();
  const decision = planCompletion(rotation, oldKey, now, reason);
  if (decision.type === "reject") throw new KeygateError("CONFLICT", decision.detail);
  const events: OutboxEventInput[] = [rotationCompletedEvent(deps, decision.rotation, now)];
  if (decision.oldKey.status === "expired" && oldKey.status !== "expired") {
    events.push({
      id: eventId(deps, now),
      type: "key.expired",
      at: now,
      data: { ...keySummary(decision.oldKey), reason },
    });
  }
  await commitOrConflict(
    deps,
    {
      writes: [
        { type: "updateKey", key: decision.oldKey, expectRevision: oldKey.revision },
        { type: "updateRotation", rotation: decision.rotation, expectState: "overlapping" },
      ],
      audit: [
        auditEntry(
          now,
          actor,
          "rotation.complete",
          "rotation",
          rotation.id,
          rotationSummary(decision.rotation),
        ),
      ],
      events,
    },
    "completion",
  );
  const change = await publishChange(deps, { keyIds: [oldKey.id] });
  return { rotation: decision.rotation, oldKey: decision.oldKey, change };
}
