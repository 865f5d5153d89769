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
 * The bucket a minute falls in: integer division in both dialects (BIGINT in
 * PostgreSQL, INTEGER in SQLite), so buckets start at multiples of `bucketMs`.
 */
function bucketOf(bucketMs: number) {
  return sql<number>`(minute / cast(${bucketMs} as bigint)) * cast(${bucketMs} as bigint)`;
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

export async function keyUsage(db: Db, keyIds: readonly string[], range: UsageRange): Promise<KeyUsageSum[]> {
  if (keyIds.length === 0) return [];
  const bucket = bucketOf(range.bucketMs);
  const rows = await db
    .selectFrom("usage_minutes")
    .select(["key_id", "code", bucket.as("at"), sumCount.as("count")])
    .where("key_id", "in", [...keyIds])
    .where("minute", ">=", range.from)
    .where("minute", "<", range.to)
    .groupBy(byPosition(3))
    .execute();
  return rows.map((r) => ({ keyId: r.key_id, at: Number(r.at), code: r.code, count: Number(r.count) }));
}

export async function totalUsage(db: Db, range: UsageRange): Promise<UsageSum[]> {
  const bucket = bucketOf(range.bucketMs);
  const rows = await db
    .selectFrom("usage_minutes")
    .select(["code", bucket.as("at"), sumCount.as("count")])
    .where("minute", ">=", range.from)
    .where("minute", "<", range.to)
    .groupBy(byPosition(2))
    .execute();
  return rows.map((r) => ({ at: Number(r.at), code: r.code, count: Number(r.count) }));
}
