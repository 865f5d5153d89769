import type { KeygateError } from "@keygate/core";
import type { Kysely } from "kysely";
import type { KeygateDatabase } from "./schema.ts";

/**
 * What differs between the SQL backends. `KyselyKeyStore` holds every query;
 * a dialect only answers these questions, so a new backend is one small file.
 */
export interface SqlDialect {
  readonly name: "sqlite" | "postgres";
  /** Column type of JSON values. */
  readonly jsonType: "text" | "jsonb";
  /** Column type of booleans. */
  readonly boolType: "integer" | "boolean";
  /**
   * Whether `SELECT … FOR UPDATE [SKIP LOCKED]` exists. Without row locks
   * (SQLite) `begin` MUST take the database's write lock instead.
   */
  readonly rowLocks: boolean;
  /**
   * Starts a write transaction on `conn`. Resolves false when the database is
   * busy (another connection holds the write lock): the caller releases the
   * connection, waits without blocking the event loop, and tries again.
   */
  begin(conn: Kysely<KeygateDatabase>): Promise<boolean>;
  /** How long `begin` may keep answering busy before the store gives up. */
  readonly busyDeadlineMs: number;
  bool(value: boolean): number | boolean;
  /** The stored JSON value, parsed: SQLite hands back TEXT, pg parses JSONB itself. */
  readJson(value: unknown): unknown;
  /** A unique, primary-key or foreign-key violation described without values; null for any other error. */
  constraintViolation(error: unknown): string | null;
  /** A transient failure after which the whole transaction may simply run again (pg deadlock, serialization). */
  isRetryable(error: unknown): boolean;
  /**
   * A catalogued error for a driver error with a safe detail: connectivity
   * failures as `STORE_UNAVAILABLE`, values the database cannot store as
   * `VALIDATION_FAILED`; null for anything else (a bug: it stays a 500).
   */
  translateError(error: unknown): KeygateError | null;
  /**
   * Whether `migrate()` runs kysely's migrator inside one of the store's own
   * write transactions. kysely runs SQLite migrations without a transaction
   * (it reports no transactional DDL), yet SQLite's DDL is transactional:
   * inside `BEGIN IMMEDIATE` a migration is all-or-nothing and processes
   * sharing a file migrate one after the other. PostgreSQL: kysely already
   * wraps migrations in a transaction under an advisory lock.
   */
  readonly migrateInWriteTransaction: boolean;
}
