import type { Change } from "@keygate/core";
import { newChangeId, type ServiceDeps } from "./service-deps.ts";

/** The id of the fence sent ahead of change `changeId` (its acknowledgements time the refusal). */
export function fenceIdOf(changeId: string): string {
  return `${changeId}.fence`;
}

/** The id of the lift sent when the revocation of change `changeId` failed to commit. */
export function liftIdOf(changeId: string): string {
  return `${changeId}.lift`;
}

/** The id of the release sent when the revocation of change `changeId` was refused before writing. */
export function releaseIdOf(changeId: string): string {
  return `${changeId}.release`;
}

/**
 * Deny-first revocation: runs `commit` (the revocation's transaction, and any
 * read it needs) under a fence, and returns the id its committed change must
 * be published under.
 *
 * The fence goes to every node BEFORE the transaction, so each node refuses
 * `keyIds` from the moment it arrives: the time to refusal everywhere is one
 * bus hop after the request was checked, not a transaction plus a hop. Safe
 * because a revocation is final: once committed, no later state makes the
 * key valid, so refusing a few milliseconds early agrees with the store. If
 * `commit` throws, a lift follows at once and the nodes accept the keys again;
 * if this node dies between the two, the nodes drop the fence when it runs
 * out (`VerifierOptions.fenceMs`) — refusing a key the operator was revoking
 * for a few seconds too long, never accepting a revoked one.
 *
 * Callers fence only after every check that can refuse the request (the
 * key exists, its revocation is allowed), so a lift is the rare case of a
 * transaction that fails (conflict, database lost mid-way).
 */
export async function underRevocationFence(
  deps: ServiceDeps,
  keyIds: readonly string[],
  commit: () => Promise<void>,
): Promise<string> {
  return (await fenceFirst(deps, keyIds, async () => undefined, commit)).changeId;
}

/**
 * Deny-first revocation of keys known by id, fenced before anything is read:
 * publishes the fence, then runs `check` (the reads that may still refuse the
 * request: unknown key, already revoked, store down), then `commit` with what
 * `check` returned, as `underRevocationFence` does. The fence leaves while
 * the key is still being read, which takes the store's round trip out of the
 * time to refusal. If `check` throws, nothing was written, and a release
 * follows: nodes stop refusing the keys and keep their cached answers, so a
 * key whose revocation failed on a store outage keeps working from the
 * caches. Between fence and release the keys are refused — keys the operator
 * asked to revoke, for the duration of a failed read.
 */
export async function fenceFirst<T>(
  deps: ServiceDeps,
  keyIds: readonly string[],
  check: () => Promise<T>,
  commit: (checked: T) => Promise<void>,
): Promise<{ readonly changeId: string; readonly checked: T }> {
  const changeId = newChangeId(deps);
  await deps.bus.publish(fenceMessage(deps, fenceIdOf(changeId), keyIds, "revoke"));
  let checked: T;
  try {
    checked = await check();
  } catch (error) {
    await deps.bus
      .publish(fenceMessage(deps, releaseIdOf(changeId), keyIds, "release"))
      .catch(() => undefined);
    throw error;
  }
  try {
    await commit(checked);
  } catch (error) {
    // The lift is best effort: the fence runs out by itself. The caller's error is what matters.
    await deps.bus.publish(fenceMessage(deps, liftIdOf(changeId), keyIds, "lift")).catch(() => undefined);
    throw error;
  }
  return { changeId, checked };
}

function fenceMessage(
  deps: ServiceDeps,
  id: string,
  keyIds: readonly string[],
  fence: "revoke" | "lift" | "release",
): Change {
  return { id, at: deps.clock.now(), keyIds, consumerIds: [], hashes: [], all: false, fence };
}
