import type { Actor, KeyRecord, OutboxEventInput, Rotation, Write } from "@keygate/core";
import { KeygateError, planCompletion, planRevocation } from "@keygate/core";
import { keySummary, rotationCompletedEvent } from "./key-events.ts";
import { fenceFirst } from "./revocation-fence.ts";
import { getKeyOrThrow } from "./rotate-key.ts";
import {
  auditEntry,
  type CommitExtras,
  commitOrConflict,
  eventId,
  NO_EXTRAS,
  publishChange,
  type ServiceDeps,
} from "./service-deps.ts";

/**
 * Revokes a key now. If it is the old key of an overlapping rotation, that
 * rotation completes (`manual`) in the same transaction. Every node refuses
 * the key from the moment the request is authenticated — the fence goes out
 * before the key is even read (`fenceFirst`), and is released if the
 * revocation is then refused (unknown key, already revoked, store down) —
 * not only once the transaction has committed.
 */
export async function revokeKey(
  deps: ServiceDeps,
  actor: Actor,
  keyId: string,
  reason: string,
  extras: CommitExtras = NO_EXTRAS,
) {
  const { changeId, checked } = await fenceFirst(
    deps,
    [keyId],
    async () => {
      const key = await getKeyOrThrow(deps, keyId);
      const now = deps.clock.now();
      const decision = planRevocation(key, reason, now);
      if (decision.type === "reject") throw new KeygateError("CONFLICT", decision.detail);
      // A key can be the new key of one open rotation and the old key of another;
      // only the rotation it is the old key of completes. The old key of an open
      // rotation is never `active` (rotating deprecates it, rolling back closes
      // the rotation), so revoking an active key skips the read.
      const open =
        key.status === "active"
          ? undefined
          : (
              await deps.store.listRotations({
                state: "overlapping",
                consumerId: key.consumerId,
                limit: 1000,
              })
            ).find((rotation) => rotation.oldKeyId === key.id);
      return { key, revoked: decision.key, open, now };
    },
    async ({ key, revoked, open, now }) => {
      const writes: Write[] = [{ type: "updateKey", key: revoked, expectRevision: key.revision }];
      const events: OutboxEventInput[] = [
        ...(extras.events ?? []),
        {
          id: eventId(deps, now),
          type: "key.revoked",
          at: now,
          // Who revoked it, as its consumer's mail says ("you, in the portal" or "your provider").
          data: {
            ...keySummary(revoked),
            reason,
            revokedBy: actor.type === "consumer" ? "consumer" : "operator",
          },
        },
      ];
      if (open) completeWithRevocation(deps, open, revoked, now, writes, events);
      await commitOrConflict(
        deps,
        {
          writes,
          audit: [
            ...(extras.audit ?? []),
            auditEntry(now, actor, "key.revoke", "key", key.id, { ...keySummary(revoked), reason }),
          ],
          events,
        },
        "revocation",
      );
    },
  );
  const change = await publishChange(deps, { keyIds: [keyId] }, changeId);
  return { key: checked.revoked, change };
}

/**
 * Adds to a revocation's unit of work the guarded write and the event that
 * complete (`manual`) the overlapping rotation `open`, whose old key is
 * `revoked`; nothing if the rotation cannot complete.
 */
export function completeWithRevocation(
  deps: ServiceDeps,
  open: Rotation,
  revoked: KeyRecord,
  now: number,
  writes: Write[],
  events: OutboxEventInput[],
): void {
  const completion = planCompletion(open, revoked, now, "manual");
  if (completion.type !== "complete") return;
  writes.push({ type: "updateRotation", rotation: completion.rotation, expectState: "overlapping" });
  events.push(rotationCompletedEvent(deps, completion.rotation, now));
}
