/**
 * Bounded data: per-minute usage rolled up into hours, hours into days (kept
 * forever), and finished webhook deliveries pruned. Implemented by the same
 * classes as `KeyStore`; run by the retention job under its lease.
 *
 * Every method moves or deletes at most `limit` rows in ONE transaction and
 * returns how many it took: a caller repeats it until the answer is below
 * `limit`. A crash leaves each batch either wholly applied or not at all, so
 * repeating after a crash MUST never count a request twice or lose one.
 */
export interface RetentionStore {
  /**
   * Deletes up to `limit` rows of `usage_minutes` with `minute < before` and
   * adds each one's count to its (keyId, hour, code) row of the hourly table,
   * in ONE transaction; the counts added are exactly the counts deleted, even
   * when a writer adds to the same rows concurrently. Returns the rows deleted.
   */
  rollUpUsageMinutes(before: number, limit: number): Promise<number>;
  /** The same from the hourly table (`hour < before`) into the daily one. Returns the rows deleted. */
  rollUpUsageHours(before: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` webhook deliveries that are finished (`delivered`
   * or `failed`, never `pending`) and whose last attempt is older than
   * `before`, with their attempt log, in ONE transaction. Returns the
   * deliveries deleted.
   */
  pruneWebhookDeliveries(before: number, limit: number): Promise<number>;
  /**
   * Deletes, in ONE transaction, up to `limit` rows from each of: consumer
   * mail that is finished (`sent` or `failed`) and was created before
   * `before`; portal sessions that ended or expired before `before`; sign-in
   * links that expired before `before`. Queued mail and live sessions are
   * never touched. Returns the most rows deleted from any one of the three
   * (a caller repeats while that equals `limit`).
   */
  prunePortalRecords(before: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` dashboard (SSO) sessions that ended or expired
   * before `before`, in one transaction; a live session is never touched.
   * Returns the rows deleted (a caller repeats while that equals `limit`).
   */
  pruneOperatorSessions(before: number, limit: number): Promise<number>;
}

/** One table of the store: exact row count and its size on disk (table, indexes and TOAST). */
export interface TableStat {
  readonly table: string;
  readonly rows: number;
  /** Null where the backend cannot tell (memory; SQLite built without the dbstat table). */
  readonly bytes: number | null;
}

/** The store's tables and their sizes, for `keygate db stats` and capacity planning. */
export interface StoreStats {
  readonly backend: "sqlite" | "postgres" | "memory";
  /** Every table, by name. */
  readonly tables: readonly TableStat[];
  /** The whole database (file pages or `pg_database_size`), free pages included; null for memory. */
  readonly totalBytes: number | null;
}

/** Reads `StoreStats`. Read-only: MUST not create, migrate or change anything. */
export interface StoreStatsSource {
  storeStats(): Promise<StoreStats>;
}
