/**
 * Shared usage counters behind rate limits and quotas: one integer per
 * counter key (a consumer's policy in one window), counting units granted.
 * Implementations: in process (one node) and Redis (a cluster). One contract
 * suite (`runCounterStoreContract`) is the specification.
 */

/** One counter drawn from by `CounterStore.take`. */
export interface CounterDraw {
  readonly key: string;
  /** Capacity of the counter: the units granted in its window never exceed it. */
  readonly limit: number;
  /** Units needed now. The take grants nothing on any counter unless every counter can grant this many. */
  readonly min: number;
  /** Most units granted at once (the lease ceiling). */
  readonly max: number;
  /** The lease is `floor(available / share)`, clamped to `[min, max]` and to what is available (`leaseGrant`). */
  readonly share: number;
  /** Epoch ms after which the counter may be forgotten (end of its window plus slack). */
  readonly expiresAt: number;
}

export interface CounterGrant {
  /** Units granted by this take: the caller now holds them as a lease. */
  readonly granted: number;
  /** The counter's value after the take (granted units of every node included). */
  readonly used: number;
}

/** The answer to a take: a union discriminated by `type`. */
export type TakeResult =
  | { readonly type: "granted"; readonly grants: readonly CounterGrant[] }
  | {
      readonly type: "refused";
      /** Index in the draws of the first counter that could not grant its `min`. */
      readonly index: number;
      /** Every counter's value, unchanged. */
      readonly used: readonly number[];
    };

export interface CounterRelease {
  readonly key: string;
  /** Unspent units handed back. */
  readonly units: number;
}

export interface CounterAdd {
  readonly key: string;
  readonly units: number;
  readonly expiresAt: number;
}

export interface CounterStore {
  /**
   * Draws leases from several counters in ONE atomic step: if any counter
   * cannot grant its `min` (`used + min > limit`), nothing changes and the
   * first such counter is reported; otherwise each counter grants
   * `leaseGrant(limit - used, draw)` and its expiry is set to `expiresAt`.
   * Concurrent takes (from any node) MUST never grant, together, more than
   * `limit - used` units of a counter.
   */
  take(draws: readonly CounterDraw[]): Promise<TakeResult>;
  /**
   * Hands unspent lease units back: each counter decreases by `units`, never
   * below zero. A counter that expired or never existed is left alone.
   */
  release(releases: readonly CounterRelease[]): Promise<void>;
  /**
   * Adds units unconditionally, even past any limit (units already spent
   * elsewhere, e.g. while the store was unreachable), and sets the expiry.
   * Atomic for the whole batch where the backend can be (memory, one Redis
   * primary). Where it cannot (Redis Cluster: counters of different
   * consumers live in different slots), it MUST be atomic per group and, when
   * some groups failed, reject with `PartialCounterAddError` listing the adds
   * that did take effect, so a retry adds only the rest.
   */
  add(adds: readonly CounterAdd[]): Promise<void>;
  /** Current values (0 for an unknown or expired counter), in the order of `keys`. */
  read(keys: readonly string[]): Promise<number[]>;
  /** Resolves when the store answers; rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A counter as persisted by a single node between restarts. */
export interface CounterSnapshot {
  readonly key: string;
  readonly used: number;
  readonly expiresAt: number;
}

/**
 * Durable copies of in-process counters, so a restarted single node keeps
 * its quotas. Served by the key store's database.
 */
export interface CounterSnapshotStore {
  /** Every snapshot whose `expiresAt` is after `now`. */
  loadCounters(now: number): Promise<CounterSnapshot[]>;
  /**
   * Upserts the snapshots (the last write of a key wins) and deletes every
   * row whose `expiresAt` is at or before `now`, in one transaction.
   */
  saveCounters(snapshots: readonly CounterSnapshot[], now: number): Promise<void>;
}

/**
 * `CounterStore.add` applied part of the batch: `applied` took effect, the
 * rest did not (`cause` says why). Retrying with `applied` left out counts
 * every unit exactly once.
 */
export class PartialCounterAddError extends Error {
  readonly applied: readonly CounterAdd[];

  constructor(applied: readonly CounterAdd[], cause: unknown) {
    super(
      `counter add applied to ${applied.length} counters only: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = "PartialCounterAddError";
    this.applied = applied;
  }
}
