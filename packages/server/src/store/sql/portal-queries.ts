import type {
  Consumer,
  MailFilter,
  MailKind,
  MailMessage,
  MailOutcome,
  MailStatus,
  PortalSession,
  PortalToken,
  PortalWrite,
} from "@keygate/core";
import type { Kysely, Selectable } from "kysely";
import { WriteConflict } from "./driver-errors.ts";
import { toConsumer } from "./row-mappers.ts";
import type { KeygateDatabase, MailMessagesTable } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

/** Longest SMTP reply kept per mail: enough to diagnose, bounded against huge replies. */
const MAX_ERROR_LENGTH = 1000;

function toMail(row: Selectable<MailMessagesTable>): MailMessage {
  return {
    id: row.id,
    consumerId: row.consumer_id,
    kind: row.kind as MailKind,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    dedupeKey: row.dedupe_key,
    status: row.status as MailStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    sentAt: row.sent_at,
  };
}

/** Portal writes inside the caller's commit transaction. */
export async function applyPortalWrite(trx: Db, write: PortalWrite): Promise<void> {
  switch (write.type) {
    case "insertPortalToken": {
      const t = write.token;
      await trx
        .insertInto("portal_tokens")
        .values({
          id: t.id,
          consumer_id: t.consumerId,
          hash: t.hash,
          purpose: t.purpose,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          used_at: t.usedAt,
        })
        .execute();
      return;
    }
    case "redeemPortalToken": {
      // The where clause is the guard: unused and not yet expired, checked on the row inside the transaction.
      const result = await trx
        .updateTable("portal_tokens")
        .set({ used_at: write.usedAt })
        .where("id", "=", write.id)
        .where("used_at", "is", null)
        .where("expires_at", ">", write.usedAt)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n)
        throw new WriteConflict(`portal link ${write.id} is spent or expired`);
      return;
    }
    case "insertPortalSession": {
      const s = write.session;
      await trx
        .insertInto("portal_sessions")
        .values({
          id: s.id,
          consumer_id: s.consumerId,
          hash: s.hash,
          csrf_token: s.csrfToken,
          created_at: s.createdAt,
          expires_at: s.expiresAt,
          ended_at: s.endedAt,
        })
        .execute();
      return;
    }
    case "endPortalSessions": {
      await trx
        .updateTable("portal_sessions")
        .set({ ended_at: write.endedAt })
        .where("consumer_id", "=", write.consumerId)
        .where("ended_at", "is", null)
        .$if(write.sessionId !== undefined, (q) => q.where("id", "=", write.sessionId ?? ""))
        .execute();
      return;
    }
    case "insertMail": {
      const m = write.mail;
      await trx
        .insertInto("mail_messages")
        .values({
          id: m.id,
          consumer_id: m.consumerId,
          kind: m.kind,
          to_address: m.to,
          subject: m.subject,
          text_body: m.text,
          html_body: m.html,
          created_at: m.createdAt,
          expires_at: m.expiresAt,
          dedupe_key: m.dedupeKey,
          status: "queued",
          attempts: 0,
          next_attempt_at: m.createdAt,
          last_error: null,
          sent_at: null,
        })
        // A dedupe key already queued or sent: this mail was sent once already (another node, an earlier period check).
        .onConflict((oc) => oc.column("dedupe_key").doNothing())
        .execute();
      return;
    }
    case "setMailOptOut": {
      const optOut = JSON.stringify([...new Set(write.kinds)].sort());
      await trx
        .insertInto("consumer_mail_settings")
        .values({ consumer_id: write.consumerId, opt_out: optOut })
        .onConflict((oc) => oc.column("consumer_id").doUpdateSet({ opt_out: optOut }))
        .execute();
      return;
    }
  }
}

export async function mailOptOuts(
  db: Db,
  d: SqlDialect,
  consumerIds: readonly string[],
): Promise<Map<string, readonly MailKind[]>> {
  const found = new Map<string, readonly MailKind[]>();
  const unique = [...new Set(consumerIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom("consumer_mail_settings")
      .selectAll()
      .where("consumer_id", "in", unique.slice(i, i + 500))
      .execute();
    for (const row of rows) {
      const kinds = d.readJson(row.opt_out) as MailKind[];
      if (kinds.length > 0) found.set(row.consumer_id, kinds);
    }
  }
  return found;
}

export async function findConsumerByEmail(db: Db, d: SqlDialect, email: string): Promise<Consumer | null> {
  const row = await db.selectFrom("consumers").selectAll().where("email", "=", email).executeTakeFirst();
  return row ? toConsumer(row, d) : null;
}

export async function findPortalToken(db: Db, hash: string): Promise<PortalToken | null> {
  const row = await db.selectFrom("portal_tokens").selectAll().where("hash", "=", hash).executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    consumerId: row.consumer_id,
    hash: row.hash,
    purpose: row.purpose as PortalToken["purpose"],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export async function findPortalSession(db: Db, hash: string): Promise<PortalSession | null> {
  const row = await db.selectFrom("portal_sessions").selectAll().where("hash", "=", hash).executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    consumerId: row.consumer_id,
    hash: row.hash,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
  };
}

/** As `claimDeliveries`: PostgreSQL skips rows another sender has locked; SQLite holds the write lock. */
export async function claimMail(
  trx: Db,
  d: SqlDialect,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<MailMessage[]> {
  if (limit <= 0) return [];
  const rows = await trx
    .selectFrom("mail_messages")
    .selectAll()
    .where("status", "=", "queued")
    .where("next_attempt_at", "<=", now)
    .orderBy("next_attempt_at")
    .orderBy("id")
    .limit(limit)
    .$if(d.rowLocks, (q) => q.forUpdate().skipLocked())
    .execute();
  if (rows.length === 0) return [];
  await trx
    .updateTable("mail_messages")
    .set((eb) => ({ next_attempt_at: now + leaseMs, attempts: eb("attempts", "+", 1) }))
    .where(
      "id",
      "in",
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((row) => ({ ...toMail(row), attempts: row.attempts + 1, nextAttemptAt: now + leaseMs }));
}

export async function recordMailOutcome(trx: Db, o: MailOutcome): Promise<void> {
  const done = o.status !== "retry";
  await trx
    .updateTable("mail_messages")
    .set((eb) => ({
      status: o.status === "retry" ? "queued" : o.status,
      next_attempt_at: o.status === "retry" ? o.nextAttemptAt : null,
      last_error: o.error === null ? null : o.error.slice(0, MAX_ERROR_LENGTH),
      sent_at: o.status === "sent" ? o.at : null,
      // A sign-in link must not outlive its delivery: once sent (or given up), its bodies go.
      text_body: done
        ? eb.case().when("kind", "=", "sign_in").then("").else(eb.ref("text_body")).end()
        : eb.ref("text_body"),
      html_body: done
        ? eb.case().when("kind", "=", "sign_in").then("").else(eb.ref("html_body")).end()
        : eb.ref("html_body"),
    }))
    .where("id", "=", o.id)
    .where("attempts", "=", o.expectAttempts)
    .where("status", "=", "queued")
    .execute();
}

export async function listMail(db: Db, filter: MailFilter): Promise<MailMessage[]> {
  const rows = await db
    .selectFrom("mail_messages")
    .selectAll()
    .$if(filter.consumerId !== undefined, (q) => q.where("consumer_id", "=", filter.consumerId ?? ""))
    .$if(filter.after !== undefined, (q) => q.where("id", ">", filter.after ?? ""))
    .orderBy("id")
    .limit(filter.limit)
    .execute();
  return rows.map(toMail);
}

/** See `RetentionStore.prunePortalRecords`: three bounded deletes in the caller's transaction. */
export async function prunePortalRecords(trx: Db, before: number, limit: number): Promise<number> {
  const mail = await trx
    .deleteFrom("mail_messages")
    .where(
      "id",
      "in",
      trx
        .selectFrom("mail_messages")
        .select("id")
        .where("status", "<>", "queued")
        .where("created_at", "<", before)
        .orderBy("created_at")
        .limit(limit),
    )
    .executeTakeFirst();
  const sessions = await trx
    .deleteFrom("portal_sessions")
    .where(
      "id",
      "in",
      trx
        .selectFrom("portal_sessions")
        .select("id")
        .where((eb) => eb.or([eb("ended_at", "<", before), eb("expires_at", "<", before)]))
        .orderBy("expires_at")
        .limit(limit),
    )
    .executeTakeFirst();
  const links = await trx
    .deleteFrom("portal_tokens")
    .where(
      "id",
      "in",
      trx
        .selectFrom("portal_tokens")
        .select("id")
        .where("expires_at", "<", before)
        .orderBy("expires_at")
        .limit(limit),
    )
    .executeTakeFirst();
  return Math.max(Number(mail.numDeletedRows), Number(sessions.numDeletedRows), Number(links.numDeletedRows));
}
