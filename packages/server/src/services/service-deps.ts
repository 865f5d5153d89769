import type {
  Actor,
  AuditInput,
  Change,
  ChangeBus,
  Clock,
  Hasher,
  KeyStore,
  OperatorStore,
  OutboxEventInput,
  PortalStore,
  Random,
  UnitOfWork,
} from "@keygate/core";
import { KeygateError, newId } from "@keygate/core";

/** What every use case needs. Built once by the composition root (main.ts). */
export interface ServiceDeps {
  /** Every backend serves the portal's reads too (sign-in links, sessions, mail), and operator access. */
  readonly store: KeyStore & PortalStore & OperatorStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly hasher: Hasher;
  readonly bus: ChangeBus;
}

/** The scope of a change for cache invalidation. */
export interface ChangeScope {
  readonly keyIds?: readonly string[];
  readonly consumerIds?: readonly string[];
  readonly hashes?: readonly string[];
  readonly all?: boolean;
}

/**
 * Extra audit entries and events a caller adds to a use case's own unit of
 * work, so they commit in the same transaction (a leak report adds
 * `key.leaked` to the revocation or rotation it causes). Audit entries are
 * appended before the use case's own.
 */
export interface CommitExtras {
  readonly audit?: readonly AuditInput[];
  readonly events?: readonly OutboxEventInput[];
}

export const NO_EXTRAS: CommitExtras = {};

/** Commits a unit of work; a failed guard becomes `409 CONFLICT`. */
export async function commitOrConflict(deps: ServiceDeps, unit: UnitOfWork, what: string): Promise<void> {
  const result = await deps.store.commit(unit);
  if (!result.ok)
    throw new KeygateError("CONFLICT", `${what} conflicted with a concurrent change; read again and retry`);
}

/** A new change id (`chg_…`). */
export function newChangeId(deps: ServiceDeps): string {
  return newId("chg", deps.clock.now(), deps.random);
}

/**
 * Publishes what a committed change invalidates to every node's cache, under
 * `id` when the caller allotted it earlier (a fenced revocation), else a new one.
 */
export async function publishChange(deps: ServiceDeps, scope: ChangeScope, id?: string): Promise<Change> {
  const at = deps.clock.now();
  const change: Change = {
    id: id ?? newId("chg", at, deps.random),
    at,
    keyIds: scope.keyIds ?? [],
    consumerIds: scope.consumerIds ?? [],
    hashes: scope.hashes ?? [],
    all: scope.all ?? false,
  };
  await deps.bus.publish(change);
  return change;
}

export function auditEntry(
  at: number,
  actor: Actor,
  action: string,
  targetType: AuditInput["targetType"],
  targetId: string,
  data: Record<string, unknown>,
): AuditInput {
  return { at, actor, action, targetType, targetId, data };
}

export function eventId(deps: ServiceDeps, at: number): string {
  return newId("evt", at, deps.random);
}

export function notFound(what: string, id: string): KeygateError {
  return new KeygateError("NOT_FOUND", `${what} ${id} does not exist`);
}
