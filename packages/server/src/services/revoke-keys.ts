import type { Actor, Change, KeyRecord, OutboxEventInput, Rotation, Write } from "@keygate/core";
import { KeygateError, planRevocation } from "@keygate/core";
import { keySummary } from "./key-events.ts";
import { underRevocationFence } from "./revocation-fence.ts";
import { completeWithRevocation } from "./revoke-key.ts";
import {
  auditEntry,
  commitOrConflict,
  eventId,
  notFound,
  publishChange,
  type ServiceDeps,
} from "./service-deps.ts";

/** Most keys one mass revocation touches: one transaction, one change, bounded in size and time. */
export const MAX_KEYS_PER_REVOCATION = 10_000;

/** Which keys a mass revocation revokes: a list of key ids, or every key of one consumer. */
export type RevocationTarget =
  | { readonly type: "keys"; readonly keyIds: readonly string[] }
  | { readonly type: "consumer"; readonly consumerId: string };

export interface MassRevocation {
  /** The keys revoked by this call, in the order they were read. */
  readonly revoked: readonly KeyRecord[];
  /** Target keys that were already revoked: left as they are (their first reason stays). */
  readonly alreadyRevoked: readonly string[];
  readonly change: Change;
}

const PAGE = 1000;
/** Parallel reads of open rotations (one per consumer): enough to hide round trips, well under a pool's size. */
const READ_CONCURRENCY = 8;

/**
 * Revokes many keys at once (an incident: a leaked batch, a compromised
 * consumer). Every key is revoked in ONE transaction, with one audit entry
 * and one `key.revoked` event per key; open rotations whose old key is
 * revoked complete (`manual`) in it too. ONE change then carries every key
 * id (or, for a consumer, the consumer id), so each node drops the affected
 * cache entries in a single step.
 *
 * All or nothing: an unknown key id is `404` and nothing is written; a key
 * changed concurrently is `409` and nothing is written. Keys already revoked
 * are skipped; if every target is, the call is `409 CONFLICT`.
 */
export async function revokeKeys(
  deps: ServiceDeps,
  actor: Actor,
  target: RevocationTarget,
  reason: string,
): Promise<MassRevocation> {
  const keys =
    target.type === "keys" ? await readKeys(deps, target.keyIds) : await consumerKeys(deps, target);
  const now = deps.clock.now();
  const revoked: KeyRecord[] = [];
  const guards: { id: string; expectRevision: number }[] = [];
  const alreadyRevoked: string[] = [];
  for (const key of keys) {
    const decision = planRevocation(key, reason, now);
    if (decision.type === "reject") {
      alreadyRevoked.push(key.id);
      continue;
    }
    guards.push({ id: key.id, expectRevision: key.revision });
    revoked.push(decision.key);
  }
  // planRevocation changes status, revokedAt and revokedReason only: one batched write says the same.
  const writes: Write[] = [{ type: "revokeKeys", keys: guards, revokedAt: now, reason }];
  if (revoked.length === 0) {
    throw new KeygateError("CONFLICT", "every targeted key is already revoked (or the consumer has no keys)");
  }
  if (revoked.length > MAX_KEYS_PER_REVOCATION) {
    throw new KeygateError(
      "VALIDATION_FAILED",
      `this would revoke ${revoked.length} keys; at most ${MAX_KEYS_PER_REVOCATION} per call: revoke them by keyIds in batches`,
    );
  }
  const events: OutboxEventInput[] = revoked.map((key) => ({
    id: eventId(deps, now),
    type: "key.revoked",
    at: now,
    data: { ...keySummary(key), reason },
  }));
  const audit = revoked.map((key) =>
    auditEntry(now, actor, "key.revoke", "key", key.id, { ...keySummary(key), reason, bulk: true }),
  );
  const changeId = await underRevocationFence(
    deps,
    revoked.map((key) => key.id),
    async () => {
      // Only a key that is not active can be the old key of an open rotation (see revokeKey).
      const rotationKeys = keys.filter((key) => key.status !== "active" && key.status !== "revoked");
      const rotations = await openRotationsByOldKey(deps, new Set(rotationKeys.map((key) => key.consumerId)));
      for (const key of revoked) {
        const open = rotations.get(key.id);
        if (open !== undefined) completeWithRevocation(deps, open, key, now, writes, events);
      }
      await commitOrConflict(deps, { writes, audit, events }, "mass revocation");
    },
  );
  const change = await publishChange(
    deps,
    target.type === "consumer"
      ? { consumerIds: [target.consumerId] }
      : { keyIds: revoked.map((key) => key.id) },
    changeId,
  );
  return { revoked, alreadyRevoked, change };
}

async function readKeys(deps: ServiceDeps, keyIds: readonly string[]): Promise<KeyRecord[]> {
  const ids = [...new Set(keyIds)];
  if (ids.length > MAX_KEYS_PER_REVOCATION) {
    throw new KeygateError("VALIDATION_FAILED", `at most ${MAX_KEYS_PER_REVOCATION} key ids per call`);
  }
  const byId = new Map((await deps.store.getKeys(ids)).map((key) => [key.id, key]));
  const found = ids.map((id) => byId.get(id) ?? null);
  const missing = ids.filter((_, i) => found[i] === null);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(", ");
    throw new KeygateError(
      "NOT_FOUND",
      `${missing.length} key${missing.length === 1 ? "" : "s"} do not exist (${shown}${missing.length > 5 ? ", …" : ""}); nothing was revoked`,
    );
  }
  return found.filter((key): key is KeyRecord => key !== null);
}

async function consumerKeys(
  deps: ServiceDeps,
  target: { readonly consumerId: string },
): Promise<KeyRecord[]> {
  if ((await deps.store.getConsumer(target.consumerId)) === null)
    throw notFound("consumer", target.consumerId);
  const keys: KeyRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await deps.store.listKeys({ consumerId: target.consumerId, after, limit: PAGE });
    keys.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined) return keys;
    after = last.id;
  }
}

/** Overlapping rotations of these consumers, by their old key. */
async function openRotationsByOldKey(
  deps: ServiceDeps,
  consumerIds: ReadonlySet<string>,
): Promise<Map<string, Rotation>> {
  const byOldKey = new Map<string, Rotation>();
  await mapLimited([...consumerIds], async (consumerId) => {
    let after: string | undefined;
    for (;;) {
      const page = await deps.store.listRotations({ state: "overlapping", consumerId, after, limit: PAGE });
      for (const rotation of page) byOldKey.set(rotation.oldKeyId, rotation);
      const last = page[page.length - 1];
      if (page.length < PAGE || last === undefined) return;
      after = last.id;
    }
  });
  return byOldKey;
}

/** `read` over every item, at most READ_CONCURRENCY at a time; results in item order. */
async function mapLimited<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i] as T;
      results[i] = await read(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
  return results;
}
