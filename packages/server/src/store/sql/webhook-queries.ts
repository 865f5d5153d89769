import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryFilter,
  NewDelivery,
  Page,
  Webhook,
  WebhookDelivery,
  WebhookSigningSecrets,
  WebhookWrite,
} from "@keygate/core";
import type { Kysely } from "kysely";
import { WriteConflict } from "./driver-errors.ts";
import { leaseClaimed } from "./lease-claimed.ts";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";
import { toAttempt, toDelivery, toWebhook, toWebhookSecrets } from "./webhook-row-mappers.ts";

type Db = Kysely<KeygateDatabase>;

/** JSON text for a JSON column (as `jsonText` in apply-write.ts, which imports this file). */
const jsonText = (value: unknown): string => JSON.stringify(value);

/** Longest failure text kept per attempt: enough to diagnose, bounded against huge error bodies. */
const MAX_ERROR_LENGTH = 2000;
/** Rows per INSERT: far below SQLite's bound on bound parameters. */
const INSERT_CHUNK = 100;

function webhookFields(w: Webhook, d: SqlDialect) {
  return {
    url: w.url,
    events: jsonText(w.events),
    description: w.description,
    disabled: d.bool(w.disabled),
    deleted_at: w.deletedAt,
    secret_rotated_at: w.secretRotatedAt,
  };
}

function secretFields(s: WebhookSigningSecrets) {
  return {
    secret: s.current,
    previous_secret: s.previous,
    previous_secret_expires_at: s.previousExpiresAt,
  };
}

/** `insertWebhook` / `updateWebhook` inside the caller's commit transaction. */
export async function applyWebhookWrite(trx: Db, d: SqlDialect, write: WebhookWrite): Promise<void> {
  switch (write.type) {
    case "insertWebhook": {
      const w = write.webhook;
      await trx
        .insertInto("webhooks")
        .values({
          id: w.id,
          created_at: w.createdAt,
          revision: 0,
          ...webhookFields(w, d),
          ...secretFields(write.secrets),
        })
        .execute();
      return;
    }
    case "updateWebhook": {
      const w = write.webhook;
      const result = await trx
        .updateTable("webhooks")
        .set((eb) => ({
          ...webhookFields(w, d),
          ...(write.secrets === undefined ? {} : secretFields(write.secrets)),
          revision: eb("revision", "+", 1),
        }))
        .where("id", "=", w.id)
        .where("revision", "=", write.expectRevision)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new WriteConflict(`webhook ${w.id} changed concurrently`);
      return;
    }
  }
}

/** New deliveries (existing (event, webhook) pairs untouched) and the events marked fanned out. */
export async function fanOut(
  trx: Db,
  deliveries: readonly NewDelivery[],
  eventIds: readonly string[],
  now: number,
): Promise<void> {
  for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
    const chunk = deliveries.slice(i, i + INSERT_CHUNK);
    await trx
      .insertInto("webhook_deliveries")
      .values(
        chunk.map((nd) => ({
          id: nd.id,
          webhook_id: nd.webhookId,
          event_id: nd.eventId,
          event_type: nd.eventType,
          payload: nd.payload,
          status: "pending",
          attempts: 0,
          round_attempts: 0,
          next_attempt_at: nd.createdAt,
          last_attempt_at: null,
          response_status: null,
          error: null,
          created_at: nd.createdAt,
          delivered_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(["event_id", "webhook_id"]).doNothing())
      .execute();
  }
  if (eventIds.length === 0) return;
  await trx
    .updateTable("outbox")
    .set({ delivered_at: now })
    .where("id", "in", [...eventIds])
    .where("delivered_at", "is", null)
    .execute();
}

/** As `claimOutbox`: PostgreSQL skips rows another claimer has locked; SQLite holds the write lock. */
export async function claimDeliveries(
  trx: Db,
  d: SqlDialect,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const rows = await trx
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", now)
    .orderBy("next_attempt_at")
    .orderBy("id")
    .limit(limit)
    .$if(d.rowLocks, (q) => q.forUpdate().skipLocked())
    .execute();
  if (rows.length === 0) return [];
  await leaseClaimed(
    trx,
    "webhook_deliveries",
    rows.map((r) => r.id),
    now + leaseMs,
  );
  return rows.map((row) => ({ ...toDelivery(row), payload: row.payload }));
}

export async function recordAttempt(trx: Db, d: SqlDialect, o: AttemptOutcome): Promise<boolean> {
  const error = o.error === null ? null : o.error.slice(0, MAX_ERROR_LENGTH);
  const retry = o.status === "retry";
  const result = await trx
    .updateTable("webhook_deliveries")
    .set((eb) => ({
      status: retry ? "pending" : o.status,
      attempts: eb("attempts", "+", 1),
      round_attempts: eb("round_attempts", "+", 1),
      next_attempt_at: retry ? o.nextAttemptAt : null,
      last_attempt_at: o.at,
      response_status: o.responseStatus,
      error,
      ...(o.status === "delivered" ? { delivered_at: o.at } : {}),
    }))
    .where("id", "=", o.deliveryId)
    .where("attempts", "=", o.expectAttempts)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return false;
  await trx
    .insertInto("webhook_attempts")
    .values({
      delivery_id: o.deliveryId,
      attempt: o.expectAttempts + 1,
      at: o.at,
      duration_ms: Math.max(0, Math.round(o.durationMs)),
      response_status: o.responseStatus,
      error,
      ok: d.bool(o.status === "delivered"),
    })
    .execute();
  return true;
}

export async function requeueDelivery(trx: Db, id: string, now: number): Promise<boolean> {
  const result = await trx
    .updateTable("webhook_deliveries")
    .set({ status: "pending", round_attempts: 0, next_attempt_at: now })
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function getWebhook(db: Db, d: SqlDialect, id: string): Promise<Webhook | null> {
  const row = await db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toWebhook(row, d) : null;
}

export async function listWebhooks(db: Db, d: SqlDialect, page: Page): Promise<Webhook[]> {
  const rows = await db
    .selectFrom("webhooks")
    .selectAll()
    .where("deleted_at", "is", null)
    .$if(page.after !== undefined, (q) => q.where("id", ">", page.after ?? ""))
    .orderBy("id")
    .limit(page.limit)
    .execute();
  return rows.map((row) => toWebhook(row, d));
}

export async function getWebhookSecrets(db: Db, id: string): Promise<WebhookSigningSecrets | null> {
  const row = await db
    .selectFrom("webhooks")
    .select(["secret", "previous_secret", "previous_secret_expires_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? toWebhookSecrets(row) : null;
}

export async function getDelivery(db: Db, id: string): Promise<WebhookDelivery | null> {
  const row = await db.selectFrom("webhook_deliveries").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toDelivery(row) : null;
}

export async function listDeliveries(db: Db, filter: DeliveryFilter): Promise<WebhookDelivery[]> {
  const rows = await db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("webhook_id", "=", filter.webhookId)
    .$if(filter.after !== undefined, (q) => q.where("id", ">", filter.after ?? ""))
    .orderBy("id")
    .limit(filter.limit)
    .execute();
  return rows.map(toDelivery);
}

export async function listAttempts(db: Db, deliveryId: string): Promise<DeliveryAttempt[]> {
  const rows = await db
    .selectFrom("webhook_attempts")
    .selectAll()
    .where("delivery_id", "=", deliveryId)
    .orderBy("attempt")
    .execute();
  return rows.map(toAttempt);
}
