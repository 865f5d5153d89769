import type { OutboxEvent, OutboxEventInput } from "@keygate/core";
import type { Kysely } from "kysely";
import { INSERT_BATCH_ROWS } from "./append-audit.ts";
import { jsonText } from "./apply-write.ts";
import { leaseClaimed } from "./lease-claimed.ts";
import { toOutboxEvent } from "./row-mappers.ts";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

/** Longest failure text kept per event: enough to diagnose, bounded so a huge response body cannot bloat the table. */
const MAX_ERROR_LENGTH = 2000;

/** Outbox rows of a unit, due at once (at their `at`), never attempted. */
export async function insertOutbox(trx: Db, events: readonly OutboxEventInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += INSERT_BATCH_ROWS) {
    await insertOutboxRows(trx, events.slice(i, i + INSERT_BATCH_ROWS));
  }
}

async function insertOutboxRows(trx: Db, events: readonly OutboxEventInput[]): Promise<void> {
  await trx
    .insertInto("outbox")
    .values(
      events.map((e) => ({
        id: e.id,
        type: e.type,
        at: e.at,
        data: jsonText(e.data),
        next_attempt_at: e.at,
        delivered_at: null,
        last_error: null,
      })),
    )
    .execute();
}

/**
 * Inside a write transaction: picks due rows and leases them. PostgreSQL
 * locks the picked rows and skips rows another claimer holds (`SKIP LOCKED`),
 * so concurrent claimers split the backlog instead of queueing on it; SQLite
 * holds the database write lock for the whole transaction.
 */
export async function claimOutbox(
  trx: Db,
  d: SqlDialect,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<OutboxEvent[]> {
  if (limit <= 0) return [];
  const rows = await trx
    .selectFrom("outbox")
    .select(["id", "type", "at", "data", "attempts"])
    .where("delivered_at", "is", null)
    .where("next_attempt_at", "<=", now)
    .orderBy("id")
    .limit(limit)
    .$if(d.rowLocks, (q) => q.forUpdate().skipLocked())
    .execute();
  if (rows.length === 0) return [];
  await leaseClaimed(
    trx,
    "outbox",
    rows.map((r) => r.id),
    now + leaseMs,
  );
  return rows.map((row) => toOutboxEvent(row, d));
}

export async function markOutboxDelivered(trx: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable("outbox")
    .set({ delivered_at: now })
    .where("id", "in", [...ids])
    .where("delivered_at", "is", null)
    .execute();
}

export async function markOutboxFailed(
  trx: Db,
  id: string,
  nextAttemptAt: number,
  error: string,
): Promise<void> {
  await trx
    .updateTable("outbox")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      next_attempt_at: nextAttemptAt,
      last_error: error.slice(0, MAX_ERROR_LENGTH),
    }))
    .where("id", "=", id)
    .where("delivered_at", "is", null)
    .execute();
}
