import { type Kysely, sql } from "kysely";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Rows per upsert statement: 4 parameters each, far below every driver's bind-parameter limit. */
const UPSERT_CHUNK = 500;

interface MovedRow {
  key_id: string;
  t: number | string;
  code: string;
  count: number | string;
}

interface Rollup {
  readonly keyId: string;
  readonly at: number;
  readonly code: string;
  count: number;
}

/**
 * Sums deleted rows by (key, coarser bucket, code), in a stable order so two
 * writers (there is one, under the job lease, but a lost lease may briefly
 * make two) lock target rows in the same order and never deadlock.
 */
function rollUp(rows: readonly MovedRow[], bucketMs: number): Rollup[] {
  const sums = new Map<string, Rollup>();
  for (const row of rows) {
    const at = Math.floor(Number(row.t) / bucketMs) * bucketMs;
    const id = `${row.key_id}\u0000${String(at).padStart(16, "0")}\u0000${row.code}`;
    const seen = sums.get(id);
    if (seen === undefined) sums.set(id, { keyId: row.key_id, at, code: row.code, count: Number(row.count) });
    else seen.count += Number(row.count);
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * Inside a write transaction: deletes up to `limit` of the oldest rows before
 * `before` and returns exactly what it deleted (`DELETE … RETURNING`), so the
 * counts added to the coarser table are the counts removed, whatever another
 * writer did to those rows meanwhile. Rows are chosen through the time index
 * and deleted by physical row id (SQLite `rowid`, PostgreSQL `ctid`): a
 * lookup each, where matching the chosen keys back (`(key_id, minute, code)
 * IN (…)`) may make PostgreSQL scan the whole table per batch. A row that
 * another transaction updated after it was chosen has a new ctid and is
 * skipped (not deleted, not counted) until the next batch.
 */
async function takeOldest(
  trx: Db,
  d: SqlDialect,
  table: "usage_minutes" | "usage_hours",
  column: "minute" | "hour",
  before: number,
  limit: number,
): Promise<MovedRow[]> {
  const t = sql.table(table);
  const c = sql.ref(column);
  const chosen = sql`select ${sql.raw(d.name === "postgres" ? "ctid" : "rowid")} from ${t} where ${c} < ${before} order by ${c} limit ${limit}`;
  const where = d.name === "postgres" ? sql`ctid = any(array(${chosen}))` : sql`rowid in (${chosen})`;
  const { rows } = await sql<MovedRow>`
    delete from ${t} where ${where}
    returning key_id, ${c} as t, code, count`.execute(trx);
  return rows;
}

/** Adds each roll-up to its row (created at 0 first): `count = count + excluded.count`. */
async function addTo(
  trx: Db,
  table: "usage_hours" | "usage_days",
  rollups: readonly Rollup[],
): Promise<void> {
  for (let i = 0; i < rollups.length; i += UPSERT_CHUNK) {
    const chunk = rollups.slice(i, i + UPSERT_CHUNK);
    if (table === "usage_hours") {
      await trx
        .insertInto("usage_hours")
        .values(chunk.map((r) => ({ key_id: r.keyId, hour: r.at, code: r.code, count: r.count })))
        .onConflict((oc) =>
          oc
            .columns(["key_id", "hour", "code"])
            .doUpdateSet({ count: (eb) => eb("usage_hours.count", "+", eb.ref("excluded.count")) }),
        )
        .execute();
    } else {
      await trx
        .insertInto("usage_days")
        .values(chunk.map((r) => ({ key_id: r.keyId, day: r.at, code: r.code, count: r.count })))
        .onConflict((oc) =>
          oc
            .columns(["key_id", "day", "code"])
            .doUpdateSet({ count: (eb) => eb("usage_days.count", "+", eb.ref("excluded.count")) }),
        )
        .execute();
    }
  }
}

/** Inside ONE write transaction: the oldest `limit` minute rows before `before` into their hours. */
export async function rollUpUsageMinutes(
  trx: Db,
  d: SqlDialect,
  before: number,
  limit: number,
): Promise<number> {
  const moved = await takeOldest(trx, d, "usage_minutes", "minute", before, limit);
  await addTo(trx, "usage_hours", rollUp(moved, HOUR_MS));
  return moved.length;
}

/** Inside ONE write transaction: the oldest `limit` hour rows before `before` into their days. */
export async function rollUpUsageHours(
  trx: Db,
  d: SqlDialect,
  before: number,
  limit: number,
): Promise<number> {
  const moved = await takeOldest(trx, d, "usage_hours", "hour", before, limit);
  await addTo(trx, "usage_days", rollUp(moved, DAY_MS));
  return moved.length;
}

/**
 * Inside ONE write transaction: up to `limit` finished deliveries last
 * attempted before `before`, attempts first (they reference the delivery).
 * PostgreSQL locks the chosen rows, so an operator's redelivery that races
 * the prune either waits and finds the delivery gone, or wins and keeps it
 * (then its status is `pending` and the delete below skips it).
 */
export async function pruneWebhookDeliveries(
  trx: Db,
  d: SqlDialect,
  before: number,
  limit: number,
): Promise<number> {
  const chosen = await trx
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("status", "<>", "pending")
    .where("last_attempt_at", "<", before)
    .orderBy("last_attempt_at")
    .limit(limit)
    .$if(d.rowLocks, (q) => q.forUpdate())
    .execute();
  const ids = chosen.map((r) => r.id);
  if (ids.length === 0) return 0;
  await trx.deleteFrom("webhook_attempts").where("delivery_id", "in", ids).execute();
  const deleted = await trx
    .deleteFrom("webhook_deliveries")
    .where("id", "in", ids)
    .where("status", "<>", "pending")
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
