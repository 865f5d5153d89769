import type { JobLease } from "@keygate/core";
import type { Kysely } from "kysely";
import type { KeygateDatabase } from "./schema.ts";
import { toJobLease } from "./webhook-row-mappers.ts";

type Db = Kysely<KeygateDatabase>;

/**
 * Takes a free or expired lease, or renews the holder's own, in one
 * statement: the upsert's `where` is both the selector and the guard, and
 * `returning` tells whether the row is ours. PostgreSQL re-evaluates the
 * guard on the row a concurrent contender just committed, so exactly one wins.
 */
export async function acquireLease(
  trx: Db,
  name: string,
  holder: string,
  ttlMs: number,
  now: number,
): Promise<boolean> {
  const expiresAt = now + ttlMs;
  const row = await trx
    .insertInto("job_leases")
    .values({ name, holder, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column("name")
        .doUpdateSet({ holder, expires_at: expiresAt })
        .where((eb) => eb.or([eb("job_leases.holder", "=", holder), eb("job_leases.expires_at", "<=", now)])),
    )
    .returning("holder")
    .executeTakeFirst();
  return row !== undefined;
}

export async function releaseLease(trx: Db, name: string, holder: string): Promise<void> {
  await trx.deleteFrom("job_leases").where("name", "=", name).where("holder", "=", holder).execute();
}

export async function getLease(db: Db, name: string): Promise<JobLease | null> {
  const row = await db.selectFrom("job_leases").selectAll().where("name", "=", name).executeTakeFirst();
  return row ? toJobLease(row) : null;
}
