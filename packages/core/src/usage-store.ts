/**
 * Requests of one key in one minute that ended with one outcome. `keyId` ""
 * counts requests that named no known key (missing, malformed, unknown).
 */
export interface UsageCount {
  readonly keyId: string;
  /** Start of the minute, epoch ms: a multiple of 60,000. */
  readonly minute: number;
  /** The outcome code: `VALID`, `KEY_EXPIRED`, `RATE_LIMITED`, … */
  readonly code: string;
  /** At least 1. */
  readonly count: number;
}

/** A time range cut into buckets that start at multiples of `bucketMs` (UTC-aligned minutes, hours, days). */
export interface UsageRange {
  /** Inclusive, epoch ms. */
  readonly from: number;
  /** Exclusive, epoch ms. */
  readonly to: number;
  /** 60,000, 3,600,000 or 86,400,000. */
  readonly bucketMs: number;
}

/** The requests of one bucket with one outcome; `at` is the bucket's start. */
export interface UsageSum {
  readonly at: number;
  readonly code: string;
  readonly count: number;
}

export interface KeyUsageSum extends UsageSum {
  readonly keyId: string;
}

/**
 * Per-key, per-minute request counts by outcome, written in batches by each
 * node's usage recorder. Implemented by the same classes as `KeyStore`;
 * `runAnalyticsStoreContract` is the specification.
 */
export interface UsageStore {
  /**
   * Adds every count to its (keyId, minute, code) row, creating the row at 0
   * first, in ONE transaction. MUST be additive and commutative: two batches
   * (from one node or from several at once) leave the sum of both, whatever
   * their order; the same (keyId, minute, code) twice in one batch counts twice.
   */
  addUsage(counts: readonly UsageCount[]): Promise<void>;
  /**
   * Sums of the given keys' counts per bucket and outcome for minutes in
   * `[from, to)`. Only non-zero sums; any order.
   */
  keyUsage(keyIds: readonly string[], range: UsageRange): Promise<KeyUsageSum[]>;
  /** Sums over every key (and requests without one) per bucket and outcome in `[from, to)`. Only non-zero sums; any order. */
  totalUsage(range: UsageRange): Promise<UsageSum[]>;
}
