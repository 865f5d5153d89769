import { KeygateError } from "@keygate/core";
import { sql } from "kysely";
import { errorField } from "./driver-errors.ts";
import type { SqlDialect } from "./sql-dialect.ts";

/** Result codes after which the file cannot be used now, as opposed to a bad query. */
const UNAVAILABLE = /^SQLITE_(CANTOPEN|BUSY|LOCKED|IOERR|FULL|READONLY|CORRUPT|NOTADB|PERM|AUTH|PROTOCOL)/;
const FS_ERRORS = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "ENOSPC", "EEXIST", "ENOENT"]);

function isBusy(error: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(errorField(error, "code") ?? "");
}

/**
 * SQLite through better-sqlite3, whose calls are synchronous: SQLite's own
 * busy handler would sleep on the event loop while the connection holding the
 * lock (possibly in this very process) waits for that loop to commit. So
 * `begin` asks for the write lock with the busy timeout at 0 and the store
 * waits asynchronously between attempts; the timeout stays on for everything
 * else (opening, WAL recovery, checkpoints).
 */
export function sqliteDialect(busyTimeoutMs: number): SqlDialect {
  const restoreTimeout = sql.raw(`pragma busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  return {
    name: "sqlite",
    jsonType: "text",
    boolType: "integer",
    rowLocks: false,
    busyDeadlineMs: busyTimeoutMs,
    async begin(conn) {
      await sql`pragma busy_timeout = 0`.execute(conn);
      try {
        // IMMEDIATE takes the write lock now: a deferred transaction that
        // reads first cannot later upgrade once another writer has committed.
        await sql`begin immediate`.execute(conn);
        return true;
      } catch (error) {
        if (isBusy(error)) return false;
        throw error;
      } finally {
        await restoreTimeout.execute(conn);
      }
    },
    bool: (value) => (value ? 1 : 0),
    readJson: (value) => (typeof value === "string" ? JSON.parse(value) : value),
    constraintViolation(error) {
      const code = errorField(error, "code");
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        // "UNIQUE constraint failed: keys.hash" names columns, never values.
        const columns = (errorField(error, "message") ?? "").split("failed: ")[1] ?? "unknown";
        return `unique constraint violated (${columns})`;
      }
      return code === "SQLITE_CONSTRAINT_FOREIGNKEY"
        ? "foreign key violated: a referenced row does not exist"
        : null;
    },
    isRetryable: () => false,
    translateError(error) {
      const code = errorField(error, "code") ?? "";
      if (UNAVAILABLE.test(code) || FS_ERRORS.has(code)) {
        return new KeygateError("STORE_UNAVAILABLE", `SQLite database unavailable (${code})`);
      }
      const message = errorField(error, "message") ?? "";
      if (/database connection is not open|driver has already been destroyed/.test(message)) {
        return new KeygateError("STORE_UNAVAILABLE", "SQLite store is closed");
      }
      return null;
    },
    migrateInWriteTransaction: true,
  };
}
