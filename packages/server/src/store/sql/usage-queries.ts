import type { KeyUsageSum, UsageCount, UsageRange, UsageSum } from "@keygate/core";
import { type Kysely, sql } from "kysely";
import type { KeygateDatabase } from "./schema.ts";

type Db = Kysely<KeygateDatabase>;

/** Rows per upsert statement: 4 parameters each, far below every driver's bind-parameter limit. */
const USAGE_CHUNK = 500;

/**
 * Sums counts of the same (key, minute, code) first — PostgreSQL refuses an
 * upsert that touches one row twice — and orders rows by that key, so two
 * nodes' batches lock rows in the same order and never deadlock.
 */
function mergeCounts(counts: readonly UsageCount[]): UsageCount[] {
  const merged = new Map<string, UsageCount>();
  for (const c of counts) {
    if (!(c.count > 0)) continue;
    const id = `${c.keyId}\u0000${c.minute}\u0000${c.code}`;
    const seen = merged.get(id);
    merged.set(id, seen === undefined ? c : { ...seen, count: seen.count + c.count });
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
}

/** Inside a write transaction: `count = count + excluded.count` per row, one statement per chunk. */
export async function addUsage(trx: Db, counts: readonly UsageCount[]): Promise<void> {
  const rows = mergeCounts(counts);
  for (let i = 0; i < rows.length; i += USAGE_CHUNK) {
    await trx
      .insertInto("usage_minutes")
      .values(
        rows.slice(i, i + USAGE_CHUNK).map((c) => ({
          key_id: c.keyId,
          minute: c.minute,
          code: c.code,
          count: c.count,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(["key_id", "minute", "code"])
          .doUpdateSet({ count: (eb) => eb("usage_minutes.count", "+", eb.ref("excluded.count")) }),
      )
      .execute();
  }
}

/**
 * The bucket a row falls in: integer division in both dialects (BIGINT in
 * PostgreSQL, INTEGER in SQLite), so buckets start at multiples of `bucketMs`.
 */
function bucketOf(bucketMs: number) {
  return sql<number>`(t / cast(${bucketMs} as bigint)) * cast(${bucketMs} as bigint)`;
}

/**
 * `group by 1, 2, …`: the bucket expression carries a parameter, and
 * PostgreSQL does not match `$1` in the select list with `$3` in a repeated
 * group-by expression, so the groups name select positions instead.
 */
export function byPosition(columns: number) {
  return sql.raw(Array.from({ length: columns }, (_, i) => String(i + 1)).join(", "));
}

/** PostgreSQL's sum of BIGINT is NUMERIC (a string in pg); cast back so both dialects give a number. */
const sumCount = sql<number>`cast(sum(count) as bigint)`;

/**
 * The usage rows of `[from, to)` from all three tables as (key_id, t, code,
 * count), `t` being the row's minute, hour or day start. Retention rolls old
 * minutes into hours and old hours into days (see retention-queries.ts), so
 * every request is in exactly one of them: a sum over the union is the same
 * before and after a roll-up. A rolled-up row counts when its start lies in
 * the range, and lands in the bucket of its start: at minute granularity an
 * hour's requests appear in its first minute, at hour granularity a day's in
 * its first hour. Sums over ranges aligned to hours (for hourly rows) or days
 * (for daily rows) are exact, as are the API's hour and day series.
 */
function usageRows(db: Db, keyIds: readonly string[] | null, range: UsageRange) {
  const minutes = db
    .selectFrom("usage_minutes")
    .select(["key_id", "code", "count", sql<number>`minute`.as("t")])
    .where("minute", ">=", range.from)
    .where("minute", "<", range.to)
    .$if(keyIds !== null, (q) => q.where("key_id", "in", [...(keyIds ?? [])]));
  const hours = db
    .selectFrom("usage_hours")
    .select(["key_id", "code", "count", sql<number>`hour`.as("t")])
    .where("hour", ">=", range.from)
    .where("hour", "<", range.to)
    .$if(keyIds !== null, (q) => q.where("key_id", "in", [...(keyIds ?? [])]));
  const days = db
    .selectFrom("usage_days")
    .select(["key_id", "code", "count", sql<number>`day`.as("t")])
    .where("day", ">=", range.from)
    .where("day", "<", range.to)
    .$if(keyIds !== null, (q) => q.where("key_id", "in", [...(keyIds ?? [])]));
  return minutes.unionAll(hours).unionAll(days).as("u");
}

export async function keyUsage(db: Db, keyIds: readonly string[], range: UsageRange): Promise<KeyUsageSum[]> {
  if (keyIds.length === 0) return [];
  const rows = await db
    .selectFrom(usageRows(db, keyIds, range))
    .select(["u.key_id", "u.code", bucketOf(range.bucketMs).as("at"), sumCount.as("count")])
    .groupBy(byPosition(3))
    .execute();
  return rows.map((r) => ({ keyId: r.key_id, at: Number(r.at), code: r.code, count: Number(r.count) }));
}

export async function totalUsage(db: Db, range: UsageRange): Promise<UsageSum[]> {
  const rows = await db
    .selectFrom(usageRows(db, null, range))
    .select(["u.code", bucketOf(range.bucketMs).as("at"), sumCount.as("count")])
    .groupBy(byPosition(2))
    .execute();
  return rows.map((r) => ({ at: Number(r.at), code: r.code, count: Number(r.count) }));
}
