import type { Actor, KeyRecord, OutboxEventInput, RotationOptions } from "@keygate/core";
import { KeygateError, MAX_OVERLAP_SECONDS, newId, planRotation } from "@keygate/core";
import { getConsumerOrThrow } from "./consumers.ts";
import { mintSecret } from "./issue-key.ts";
import { keySummary, rotationCompletedEvent, rotationSummary } from "./key-events.ts";
import {
  auditEntry,
  type CommitExtras,
  commitOrConflict,
  eventId,
  NO_EXTRAS,
  notFound,
  publishChange,
  type ServiceDeps,
} from "./service-deps.ts";

export async function getKeyOrThrow(deps: ServiceDeps, id: string): Promise<KeyRecord> {
  const key = await deps.store.getKey(id);
  if (!key) throw notFound("key", id);
  return key;
}

/**
 * Rotates a key: the successor, the deprecated predecessor, the rotation
 * record, the audit entry and the events commit in one transaction, so there
 * is never a moment in which neither key is valid.
 */
export async function rotateKey(
  deps: ServiceDeps,
  actor: Actor,
  keyId: string,
  options: RotationOptions,
  extras: CommitExtras = NO_EXTRAS,
) {
  if (options.overlapSeconds !== undefined && options.overlapSeconds > MAX_OVERLAP_SECONDS) {
    throw new KeygateError("VALIDATION_FAILED", "overlapSeconds is too large", [
      { path: "/overlapSeconds", message: `must be at most ${MAX_OVERLAP_SECONDS}` },
    ]);
  }
  const old = await getKeyOrThrow(deps, keyId);
  const consumer = await getConsumerOrThrow(deps, old.consumerId);
  const now = deps.clock.now();
  const minted = mintSecret(deps, old.env);
  const decision = planRotation({
    old,
    consumer,
    options,
    now,
    lineageMaxVersion: await deps.store.lineageMaxVersion(old.lineageId),
    successor: { id: newId("key", now, deps.random), hash: minted.hash, hint: minted.hint },
    rotationId: newId("rot", now, deps.random),
  });
  if (decision.type === "reject") throw new KeygateError("CONFLICT", decision.detail);
  const { newKey, oldKey, rotation } = decision;
  const events: OutboxEventInput[] = [
    ...(extras.events ?? []),
    {
      id: eventId(deps, now),
      type: "key.rotated",
      at: now,
      data: { ...rotationSummary(rotation), newKey: keySummary(newKey) },
    },
  ];
  if (decision.emergency) events.push(rotationCompletedEvent(deps, rotation, now));
  await commitOrConflict(
    deps,
    {
      writes: [
        { type: "updateKey", key: oldKey, expectRevision: old.revision },
        { type: "insertKey", key: newKey },
        { type: "insertRotation", rotation },
      ],
      audit: [
        ...(extras.audit ?? []),
        auditEntry(now, actor, decision.emergency ? "key.rotate_emergency" : "key.rotate", "key", old.id, {
          ...rotationSummary(rotation),
          newVersion: newKey.version,
          newHint: newKey.hint,
        }),
      ],
      events,
    },
    "rotation",
  );
  const change = await publishChange(deps, { keyIds: [old.id], hashes: [newKey.hash] });
  return { rotation, key: newKey, oldKey, secret: minted.secret, change };
}
