import type { Clock, CounterStore, Plan } from "@keygate/core";

/** Where plans come from: the key store. */
export interface PlanSource {
  listPlans(): Promise<Plan[]>;
}

/**
 * Where a consumer's quota stands, cluster-wide, when this node last heard
 * from the counter store (units leased to nodes count as used).
 */
export interface QuotaUsage {
  readonly consumerId: string;
  readonly limit: number;
  readonly used: number;
  /** The quota period's bounds (ms). */
  readonly periodStart: number;
  readonly periodEnd: number;
  /** The policy's name, e.g. `quota-month`. */
  readonly policy: string;
}

/** The slice of a pino logger the limiter writes to. Never given a secret. */
export interface LimiterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface LimiterOptions {
  /** Where counters live (Redis in a cluster, in process on one node). Owned: `close()` closes it. */
  readonly counters: CounterStore;
  /**
   * Set when `counters` is shared by several nodes (Redis). Then an outage of
   * the store switches this node to local counters, each node enforcing
   * `ceil(remaining / liveNodes)` of every limit, until the store is back.
   */
  readonly shared?: { readonly liveNodes: () => Promise<number> } | undefined;
  readonly plans: PlanSource;
  readonly clock: Clock;
  readonly logger: LimiterLogger;
  /** Unspent lease units untouched this long go back to the shared counter. Default 1000 ms. */
  readonly idleReleaseMs?: number | undefined;
  /** Largest lease. Default 1000 units. */
  readonly maxLease?: number | undefined;
  /** A lease is `remaining / (leaseShare × live nodes)` (see `leaseGrant`). Default 4. */
  readonly leaseShare?: number | undefined;
  /** How often an unreachable shared store is probed. Default 1000 ms. */
  readonly probeIntervalMs?: number | undefined;
  /** How often plans are re-read besides change notifications. Default 5000 ms. */
  readonly planRefreshMs?: number | undefined;
  /** How long a refusal from the store answers locally before the store is asked again. Default 250 ms. */
  readonly refusalTtlMs?: number | undefined;
  /**
   * Told where a quota stands whenever the counter store answers for it (a
   * lease granted or refused): off the per-request path. Must not throw.
   */
  readonly onQuotaUsage?: ((usage: QuotaUsage) => void) | undefined;
}
