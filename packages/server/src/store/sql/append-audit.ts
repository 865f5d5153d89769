import { type AuditInput, auditEntryHash, type Hasher } from "@keygate/core";
import type { Insertable, Kysely } from "kysely";
import { jsonText } from "./apply-write.ts";
import type { AuditLogTable, KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

/**
 * Rows per INSERT statement: a mass revocation appends thousands of entries,
 * and one statement may bind at most 65,535 parameters on PostgreSQL (32,766
 * on SQLite); 500 rows of 9 columns stay far below both.
 */
export const INSERT_BATCH_ROWS = 500;

/**
 * The value as it will read back from a JSON column. Hashing this rather than
 * the caller's object keeps the stored entry verifiable even when the caller
 * passed values JSON does not keep (`undefined`, a `Date`, a class instance).
 */
function asStored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Chains `inputs` onto the audit log inside the caller's transaction and
 * returns their seqs. The `audit_head` row is read first — `FOR UPDATE` where
 * row locks exist; SQLite's write lock, taken at `BEGIN IMMEDIATE`, serializes
 * instead — so two transactions can never both extend the same head: the
 * chain cannot fork, and seqs stay gap-free because a rollback discards the
 * head update together with the rows.
 */
export async function appendAudit(
  trx: Db,
  d: SqlDialect,
  hasher: Hasher,
  inputs: readonly AuditInput[],
): Promise<number[]> {
  if (inputs.length === 0) return [];
  const head = await trx
    .selectFrom("audit_head")
    .select(["seq", "hash"])
    .where("id", "=", 1)
    .$if(d.rowLocks, (q) => q.forUpdate())
    .executeTakeFirst();
  if (head === undefined) throw new Error("audit_head row missing: the schema was not migrated");
  let seq = head.seq;
  let prevHash = head.hash;
  const rows: Insertable<AuditLogTable>[] = [];
  const seqs: number[] = [];
  for (const raw of inputs) {
    const input = asStored(raw);
    seq += 1;
    const hash = auditEntryHash(hasher, seq, prevHash, input);
    rows.push({
      seq,
      at: input.at,
      actor: jsonText(input.actor),
      action: input.action,
      target_type: input.targetType,
      target_id: input.targetId,
      data: jsonText(input.data),
      prev_hash: prevHash,
      hash,
    });
    seqs.push(seq);
    prevHash = hash;
  }
  for (let i = 0; i < rows.length; i += INSERT_BATCH_ROWS)
    await trx
      .insertInto("audit_log")
      .values(rows.slice(i, i + INSERT_BATCH_ROWS))
      .execute();
  await trx.updateTable("audit_head").set({ seq, hash: prevHash }).where("id", "=", 1).execute();
  return seqs;
}
