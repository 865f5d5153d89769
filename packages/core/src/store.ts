import type {
  AdminToken,
  AuditEntry,
  AuditInput,
  Consumer,
  KeyRecord,
  KeyStatus,
  OutboxEventInput,
  Plan,
  Rotation,
  RotationState,
} from "./model.ts";
import type { OperatorWrite } from "./operator-store.ts";
import type { Page } from "./page.ts";
import type { PortalWrite } from "./portal-store.ts";
import type { WebhookWrite } from "./webhook-store.ts";

/**
 * One write of a unit of work. Guards (`expectRevision`, `expectState`) are
 * checked against the row as it is inside the transaction: the `where`
 * clause is both the selector and the guard.
 */
export type Write =
  | { readonly type: "putPlan"; readonly plan: Plan }
  | { readonly type: "insertConsumer"; readonly consumer: Consumer }
  /** Replaces name, plan, metadata, disabled, rotationPolicy and updatedAt. */
  | { readonly type: "updateConsumer"; readonly consumer: Consumer }
  | { readonly type: "insertKey"; readonly key: KeyRecord }
  /**
   * Replaces the key's mutable fields (status, name, scopes, expiresAt,
   * deprecatedAt, sunsetAt, revokedAt, revokedReason, metadata) if and only if
   * the stored revision equals `expectRevision`, and increments the revision.
   * `lastUsedAt` is never written here (see `KeyStore.recordKeyUsage`).
   */
  | { readonly type: "updateKey"; readonly key: KeyRecord; readonly expectRevision: number }
  /**
   * A mass revocation: sets status `revoked`, `revokedAt` and `revokedReason`
   * on every listed key whose stored revision equals its `expectRevision`,
   * and increments those revisions; if any key is missing or changed, the
   * whole unit conflicts. Other fields stay as they are. One statement per
   * few hundred keys where `updateKey` would take one per key.
   */
  | {
      readonly type: "revokeKeys";
      readonly keys: readonly { readonly id: string; readonly expectRevision: number }[];
      readonly revokedAt: number;
      readonly reason: string;
    }
  | { readonly type: "insertRotation"; readonly rotation: Rotation }
  /** Replaces state, completedAt and completedReason if the stored state equals `expectState`. */
  | { readonly type: "updateRotation"; readonly rotation: Rotation; readonly expectState: RotationState }
  | { readonly type: "insertAdminToken"; readonly token: AdminToken }
  | WebhookWrite
  | PortalWrite
  | OperatorWrite;

/** Everything one change writes: state, its audit entries and its outbox events. */
export interface UnitOfWork {
  readonly writes: readonly Write[];
  readonly audit: readonly AuditInput[];
  readonly events: readonly OutboxEventInput[];
}

export type CommitResult =
  | { readonly ok: true; readonly auditSeqs: readonly number[] }
  | { readonly ok: false; readonly conflict: string };

export interface KeyFilter extends Page {
  readonly consumerId?: string | undefined;
  readonly lineageId?: string | undefined;
  /** Stored status. */
  readonly status?: KeyStatus | undefined;
}

export interface RotationFilter extends Page {
  readonly state?: RotationState | undefined;
  readonly consumerId?: string | undefined;
}

export interface KeyWithConsumer {
  readonly key: KeyRecord;
  readonly consumer: Consumer;
}

/** An outbox event handed to a dispatcher by `KeyStore.claimOutbox`. */
export interface OutboxEvent extends OutboxEventInput {
  /** Failed delivery attempts so far. */
  readonly attempts: number;
}

/** The newest audit entry as the store records it apart from the log rows. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export interface KeyUsageTouch {
  readonly keyId: string;
  readonly lastUsedAt: number;
}

/**
 * Durable state of keygate. Implementations: memory (tests, reference),
 * SQLite and PostgreSQL. One contract suite (`runKeyStoreContract`) is the
 * specification; a backend is supported only when it passes.
 */
export interface KeyStore {
  /** Creates or upgrades the schema. MUST be idempotent and safe to run from several nodes at once. */
  migrate(): Promise<void>;

  /**
   * Applies a unit of work atomically: every write, every audit entry (chained
   * onto the log in order) and every outbox event, in ONE transaction.
   * MUST apply nothing and return `{ok: false}` if any guard fails or a unique
   * constraint (key hash, lineage version, id) is violated. Concurrent commits
   * MUST serialize their audit entries: the chain never forks.
   */
  commit(unit: UnitOfWork): Promise<CommitResult>;

  getPlan(name: string): Promise<Plan | null>;
  listPlans(): Promise<Plan[]>;

  getConsumer(id: string): Promise<Consumer | null>;
  /** Ordered by id ascending. */
  listConsumers(page: Page): Promise<Consumer[]>;

  getKey(id: string): Promise<KeyRecord | null>;
  /** The keys among `ids` that exist, in no particular order (unknown ids are left out); few round trips. */
  getKeys(ids: readonly string[]): Promise<KeyRecord[]>;
  /** The verification read: one round trip. MUST return null for an unknown hash. */
  findKeyByHash(hash: string): Promise<KeyWithConsumer | null>;
  /** Ordered by id ascending. */
  listKeys(filter: KeyFilter): Promise<KeyRecord[]>;
  /** 0 for an unknown lineage. */
  lineageMaxVersion(lineageId: string): Promise<number>;

  getRotation(id: string): Promise<Rotation | null>;
  /** Ordered by id ascending. */
  listRotations(filter: RotationFilter): Promise<Rotation[]>;
  /** The overlapping rotation in which `keyId` is the old or the new key, if any. */
  findOpenRotationForKey(keyId: string): Promise<Rotation | null>;

  /** Entries with `seq > after` (after is a decimal string), ascending by seq. */
  listAudit(page: Page): Promise<AuditEntry[]>;
  /**
   * The seq and hash of the last audit entry, or null before the first. Kept
   * apart from the log rows and updated in the same transaction as every
   * append, so a verifier can tell a truncated tail from a short log.
   */
  auditHead(): Promise<AuditHead | null>;

  /**
   * Claims up to `limit` undelivered events that are due (next attempt at or
   * before `now`), ordered by id, and moves their next attempt to
   * `now + leaseMs` in the same atomic step: concurrent claimers (other nodes)
   * MUST NOT receive the same event until its lease runs out. An event whose
   * claimer died is claimed again once the lease has passed.
   */
  claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxEvent[]>;
  /** Marks events delivered: they are never claimed again. Unknown or already delivered ids are ignored. */
  markOutboxDelivered(ids: readonly string[], now: number): Promise<void>;
  /** Records a failed attempt: attempts + 1, the (secret-free) error, and when the event is next due. */
  markOutboxFailed(id: string, nextAttemptAt: number, error: string): Promise<void>;

  findAdminTokenByHash(hash: string): Promise<AdminToken | null>;
  countAdminTokens(): Promise<number>;

  /**
   * Records last use, batched off the hot path. MUST only move `lastUsedAt`
   * forward (max of stored and given), so out-of-order batches are harmless.
   */
  recordKeyUsage(touches: readonly KeyUsageTouch[]): Promise<void>;

  /** Resolves if the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
