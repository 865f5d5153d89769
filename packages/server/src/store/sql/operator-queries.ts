import type {
  AdminRole,
  AdminToken,
  AdminTokenTouch,
  OperatorSession,
  OperatorWrite,
  Page,
} from "@keygate/core";
import type { Kysely, Selectable } from "kysely";
import { WriteConflict } from "./driver-errors.ts";
import { toAdminToken } from "./row-mappers.ts";
import type { KeygateDatabase, OperatorSessionsTable } from "./schema.ts";

type Db = Kysely<KeygateDatabase>;

function toOperatorSession(row: Selectable<OperatorSessionsTable>): OperatorSession {
  return {
    id: row.id,
    hash: row.hash,
    subject: row.subject,
    email: row.email,
    role: row.role as AdminRole,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
  };
}

/** See `RetentionStore.pruneOperatorSessions`: one bounded delete in the caller's transaction. */
export async function pruneOperatorSessions(trx: Db, before: number, limit: number): Promise<number> {
  const result = await trx
    .deleteFrom("operator_sessions")
    .where(
      "id",
      "in",
      trx
        .selectFrom("operator_sessions")
        .select("id")
        .where((eb) => eb.or([eb("ended_at", "<", before), eb("expires_at", "<", before)]))
        .orderBy("expires_at")
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Operator-access writes inside the caller's commit transaction. */
export async function applyOperatorWrite(trx: Db, write: OperatorWrite): Promise<void> {
  switch (write.type) {
    case "revokeAdminToken": {
      // The where clause is the guard: two concurrent revocations record one.
      const result = await trx
        .updateTable("admin_tokens")
        .set({ revoked_at: write.revokedAt })
        .where("id", "=", write.id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n)
        throw new WriteConflict(`admin token ${write.id} is unknown or revoked`);
      return;
    }
    case "insertOperatorSession": {
      const s = write.session;
      await trx
        .insertInto("operator_sessions")
        .values({
          id: s.id,
          hash: s.hash,
          subject: s.subject,
          email: s.email,
          role: s.role,
          csrf_token: s.csrfToken,
          created_at: s.createdAt,
          expires_at: s.expiresAt,
          ended_at: s.endedAt,
        })
        .execute();
      return;
    }
    case "endOperatorSession":
      await trx
        .updateTable("operator_sessions")
        .set({ ended_at: write.endedAt })
        .where("id", "=", write.id)
        .where("ended_at", "is", null)
        .execute();
      return;
  }
}

export async function getAdminToken(db: Db, id: string): Promise<AdminToken | null> {
  const row = await db.selectFrom("admin_tokens").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toAdminToken(row) : null;
}

export async function listAdminTokens(db: Db, page: Page): Promise<AdminToken[]> {
  let query = db.selectFrom("admin_tokens").selectAll().orderBy("id").limit(page.limit);
  if (page.after !== undefined) query = query.where("id", ">", page.after);
  return (await query.execute()).map(toAdminToken);
}

/** One UPDATE per token, newest time per id, only ever forward (the where clause). Few tokens: no batching needed. */
export async function recordAdminTokenUsage(trx: Db, touches: readonly AdminTokenTouch[]): Promise<void> {
  const latest = new Map<string, number>();
  for (const t of touches) latest.set(t.id, Math.max(latest.get(t.id) ?? t.lastUsedAt, t.lastUsedAt));
  for (const [id, at] of [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    await trx
      .updateTable("admin_tokens")
      .set({ last_used_at: at })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", at)]))
      .execute();
  }
}

export async function findOperatorSession(db: Db, hash: string): Promise<OperatorSession | null> {
  const row = await db
    .selectFrom("operator_sessions")
    .selectAll()
    .where("hash", "=", hash)
    .executeTakeFirst();
  return row ? toOperatorSession(row) : null;
}
