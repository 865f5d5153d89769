import { KeygateError } from "@keygate/core";
import { type Kysely, sql } from "kysely";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

/** Times a transaction that hit a deadlock or serialization failure runs again before the error surfaces. */
const MAX_RETRIES = 3;
/** Longest pause between two attempts at SQLite's write lock: short, so a busy writer cannot starve us for long. */
const MAX_BUSY_PAUSE_MS = 10;

const BUSY = Symbol("busy");
const RETRY = Symbol("retry");

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in one write transaction on one connection, and commits it or
 * rolls it back as a whole. When the dialect answers busy (SQLite: another
 * connection holds the write lock) the connection is released and the
 * attempt repeated after a pause — never a blocking wait, which would stall
 * the event loop the lock holder may need — until `busyDeadlineMs`, then
 * `STORE_UNAVAILABLE`. A pg deadlock or serialization failure runs the
 * transaction again. `work` MUST therefore have no effect outside it.
 */
export async function runWriteTransaction<T>(
  db: Db,
  d: SqlDialect,
  work: (trx: Db) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + d.busyDeadlineMs;
  let retries = 0;
  let pause = 1;
  for (;;) {
    const outcome = await db.connection().execute(async (conn) => {
      if (!(await d.begin(conn))) return BUSY;
      try {
        const value = await work(conn);
        await sql`commit`.execute(conn);
        return { value };
      } catch (error) {
        // The original error matters; a failed rollback on a dead connection does not.
        await sql`rollback`.execute(conn).catch(() => undefined);
        if (d.isRetryable(error) && retries < MAX_RETRIES) return RETRY;
        throw error;
      }
    });
    if (outcome === RETRY) {
      retries++;
      continue;
    }
    if (outcome !== BUSY) return outcome.value;
    if (Date.now() >= deadline) {
      throw new KeygateError("STORE_UNAVAILABLE", `${d.name} database stayed locked by another writer`);
    }
    await sleep(pause);
    pause = Math.min(pause * 2, MAX_BUSY_PAUSE_MS);
  }
}
