import type { CounterSnapshot } from "@keygate/core";
import type { Kysely } from "kysely";
import type { KeygateDatabase } from "./schema.ts";

type Db = Kysely<KeygateDatabase>;

/** Rows per insert: well under SQLite's and PostgreSQL's bound-parameter limits (3 per row). */
const BATCH = 300;

export async function loadCounters(db: Db, now: number): Promise<CounterSnapshot[]> {
  const rows = await db.selectFrom("limit_counters").selectAll().where("expires_at", ">", now).execute();
  return rows.map((row) => ({ key: row.key, used: Number(row.used), expiresAt: Number(row.expires_at) }));
}

/** Upserts the snapshots (last write wins) and drops expired rows; run inside one write transaction. */
export async function saveCounters(
  trx: Db,
  snapshots: readonly CounterSnapshot[],
  now: number,
): Promise<void> {
  for (let i = 0; i < snapshots.length; i += BATCH) {
    const rows = snapshots
      .slice(i, i + BATCH)
      .map((s) => ({ key: s.key, used: s.used, expires_at: s.expiresAt }));
    await trx
      .insertInto("limit_counters")
      .values(rows)
      .onConflict((oc) =>
        oc.column("key").doUpdateSet((eb) => ({
          used: eb.ref("excluded.used"),
          expires_at: eb.ref("excluded.expires_at"),
        })),
      )
      .execute();
  }
  await trx.deleteFrom("limit_counters").where("expires_at", "<=", now).execute();
}
