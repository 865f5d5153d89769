import type { KeyUsageTouch, KeyWithConsumer } from "@keygate/core";
import { type Kysely, sql } from "kysely";
import { toConsumer, toKey } from "./row-mappers.ts";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

/** recordKeyUsage rows per statement: far below every driver's bind-parameter limit. */
const USAGE_CHUNK = 500;

/** The verification read: key and consumer in one round trip, through the unique hash index. */
export async function findKeyByHash(db: Db, d: SqlDialect, hash: string): Promise<KeyWithConsumer | null> {
  const row = await db
    .selectFrom("keys")
    .innerJoin("consumers as c", "c.id", "keys.consumer_id")
    .selectAll("keys")
    .select([
      "c.name as c_name",
      "c.email as c_email",
      "c.plan as c_plan",
      "c.metadata as c_metadata",
      "c.disabled as c_disabled",
      "c.rotation_policy as c_rotation_policy",
      "c.created_at as c_created_at",
      "c.updated_at as c_updated_at",
    ])
    .where("keys.hash", "=", hash)
    .executeTakeFirst();
  if (!row) return null;
  const consumer = toConsumer(
    {
      id: row.consumer_id,
      name: row.c_name,
      email: row.c_email,
      plan: row.c_plan,
      metadata: row.c_metadata,
      disabled: row.c_disabled,
      rotation_policy: row.c_rotation_policy,
      created_at: row.c_created_at,
      updated_at: row.c_updated_at,
    },
    d,
  );
  return { key: toKey(row, d), consumer };
}

/**
 * Inside a write transaction: moves `last_used_at` forward only. One row per
 * key (its latest touch), in id order — one `UPDATE … FROM (VALUES …)` per
 * chunk, valid in both SQLite and PostgreSQL, and a fixed lock order so two
 * batches never deadlock.
 */
export async function recordKeyUsage(trx: Db, touches: readonly KeyUsageTouch[]): Promise<void> {
  const latest = new Map<string, number>();
  for (const t of touches) latest.set(t.keyId, Math.max(latest.get(t.keyId) ?? t.lastUsedAt, t.lastUsedAt));
  const rows = [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < rows.length; i += USAGE_CHUNK) {
    const values = sql.join(
      rows.slice(i, i + USAGE_CHUNK).map(([id, at]) => sql`(${id}, cast(${at} as bigint))`),
    );
    await sql`update keys set last_used_at = v.column2 from (values ${values}) as v
      where keys.id = v.column1 and (keys.last_used_at is null or keys.last_used_at < v.column2)`.execute(
      trx,
    );
  }
}
