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
  const changeId = newChangeId(deps);
  await deps.bus.publish(fenceMessage(deps, fenceIdOf(changeId), keyIds, "revoke"));
  try {
    await commit();
  } catch (error) {
    // The lift is best effort: the fence runs out by itself. The caller's error is what matters.
    await deps.bus.publish(fenceMessage(deps, liftIdOf(changeId), keyIds, "lift")).catch(() => undefined);
    throw error;
  }
  return changeId;
}

function fenceMessage(
  deps: ServiceDeps,
  id: string,
  keyIds: readonly string[],
  fence: "revoke" | "lift",
): Change {
  return { id, at: deps.clock.now(), keyIds, consumerIds: [], hashes: [], all: false, fence };
}
