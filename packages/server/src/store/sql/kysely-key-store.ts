import {
  type AdminToken,
  type AdminTokenTouch,
  type AttemptOutcome,
  type AuditEntry,
  type AuditHead,
  type ClaimedDelivery,
  type CommitResult,
  type Consumer,
  type CounterSnapshot,
  type DeliveryAttempt,
  type DeliveryFilter,
  type EventFilter,
  type Hasher,
  type JobLease,
  type KeyFilter,
  KeygateError,
  type KeyRecord,
  type KeyStatus,
  type KeyStore,
  type KeyUsageSum,
  type KeyUsageTouch,
  type KeyWithConsumer,
  type LeaseStore,
  type MailFilter,
  type MailInput,
  type MailKind,
  type MailMessage,
  type MailOutcome,
  type NewDelivery,
  type OperatorSession,
  type OperatorStore,
  type OutboxEvent,
  type OutboxEventInput,
  type OverviewStore,
  type Page,
  type Plan,
  type PolicyStore,
  type PortalSession,
  type PortalStore,
  type PortalToken,
  type RetentionStore,
  type Rotation,
  type RotationFilter,
  type RotationState,
  type StoreStats,
  type StoreStatsSource,
  type UnitOfWork,
  type UsageCount,
  type UsageRange,
  type UsageStore,
  type UsageSum,
  type Webhook,
  type WebhookDelivery,
  type WebhookSigningSecrets,
  type WebhookStore,
} from "@keygate/core";
import { type Kysely, Migrator, sql } from "kysely";
import { appendAudit } from "./append-audit.ts";
import { applyWrite } from "./apply-write.ts";
import * as cq from "./counter-queries.ts";
import { WriteConflict } from "./driver-errors.ts";
import { findKeyByHash, recordKeyUsage } from "./key-queries.ts";
import * as lq from "./lease-queries.ts";
import { keygateMigrations } from "./migrations.ts";
import * as opq from "./operator-queries.ts";
import { claimOutbox, insertOutbox, markOutboxDelivered, markOutboxFailed } from "./outbox-queries.ts";
import * as oq from "./overview-queries.ts";
import * as pq from "./portal-queries.ts";
import * as rq from "./retention-queries.ts";
import { toAdminToken, toAuditEntry, toConsumer, toKey, toPlan, toRotation } from "./row-mappers.ts";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";
import { storeStats } from "./table-stats.ts";
import * as uq from "./usage-queries.ts";
import * as wq from "./webhook-queries.ts";
import { runWriteTransaction } from "./write-transaction.ts";

type Db = Kysely<KeygateDatabase>;

/** Ids per SELECT of `getKeys`: one bound value each, far below every driver's limit. */
const READ_BATCH_IDS = 1000;

export interface KyselyKeyStoreOptions {
  /** Owned by the store from now on: `close()` destroys it. */
  readonly db: Db;
  readonly dialect: SqlDialect;
  /** Hashes audit entries; `nodeHasher` at runtime. */
  readonly hasher: Hasher;
}

function auditCursor(after: string | undefined): number {
  if (after === undefined) return 0;
  const seq = Number(after);
  if (!/^\d+$/.test(after) || !Number.isSafeInteger(seq)) {
    throw new KeygateError("VALIDATION_FAILED", "audit cursor must be a decimal sequence number");
  }
  return seq;
}

/**
 * The `KeyStore` over any kysely dialect: every query lives here, the
 * `SqlDialect` answers what differs. Every public method turns connectivity
 * failures into `STORE_UNAVAILABLE`; every write runs in one transaction.
 */
export class KyselyKeyStore
  implements
    KeyStore,
    WebhookStore,
    LeaseStore,
    UsageStore,
    OverviewStore,
    PolicyStore,
    PortalStore,
    RetentionStore,
    StoreStatsSource,
    OperatorStore
{
  readonly #db: Db;
  readonly #d: SqlDialect;
  readonly #hasher: Hasher;

  constructor(options: KyselyKeyStoreOptions) {
    this.#db = options.db;
    this.#d = options.dialect;
    this.#hasher = options.hasher;
  }

  async migrate(): Promise<void> {
    const run = async (db: Db) => {
      const migrator = new Migrator({ db, provider: keygateMigrations(this.#d) });
      const { error } = await migrator.migrateToLatest();
      if (error !== undefined) throw error;
    };
    await this.#guard(() =>
      this.#d.migrateInWriteTransaction ? runWriteTransaction(this.#db, this.#d, run) : run(this.#db),
    );
  }

  async commit(unit: UnitOfWork): Promise<CommitResult> {
    return this.#guard(async () => {
      try {
        return await runWriteTransaction(this.#db, this.#d, async (trx): Promise<CommitResult> => {
          for (const write of unit.writes) await applyWrite(trx, this.#d, write);
          const auditSeqs = await appendAudit(trx, this.#d, this.#hasher, unit.audit);
          await insertOutbox(trx, unit.events);
          return { ok: true, auditSeqs };
        });
      } catch (error) {
        if (error instanceof WriteConflict) return { ok: false, conflict: error.message };
        const violation = this.#d.constraintViolation(error);
        if (violation !== null) return { ok: false, conflict: violation };
        throw error;
      }
    });
  }

  async getPlan(name: string): Promise<Plan | null> {
    return this.#guard(async () => {
      const row = await this.#db.selectFrom("plans").selectAll().where("name", "=", name).executeTakeFirst();
      return row ? toPlan(row, this.#d) : null;
    });
  }

  async listPlans(): Promise<Plan[]> {
    return this.#guard(async () => {
      const rows = await this.#db.selectFrom("plans").selectAll().orderBy("name").execute();
      return rows.map((row) => toPlan(row, this.#d));
    });
  }

  async getConsumer(id: string): Promise<Consumer | null> {
    return this.#guard(async () => {
      const row = await this.#db.selectFrom("consumers").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toConsumer(row, this.#d) : null;
    });
  }

  async listConsumers(page: Page): Promise<Consumer[]> {
    return this.#guard(async () => {
      const rows = await this.#db
        .selectFrom("consumers")
        .selectAll()
        .$if(page.after !== undefined, (q) => q.where("id", ">", page.after ?? ""))
        .orderBy("id")
        .limit(page.limit)
        .execute();
      return rows.map((row) => toConsumer(row, this.#d));
    });
  }

  async getKey(id: string): Promise<KeyRecord | null> {
    return this.#guard(async () => {
      const row = await this.#db.selectFrom("keys").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toKey(row, this.#d) : null;
    });
  }

  async getKeys(ids: readonly string[]): Promise<KeyRecord[]> {
    return this.#guard(async () => {
      const unique = [...new Set(ids)];
      const found: KeyRecord[] = [];
      for (let i = 0; i < unique.length; i += READ_BATCH_IDS) {
        const rows = await this.#db
          .selectFrom("keys")
          .selectAll()
          .where("id", "in", unique.slice(i, i + READ_BATCH_IDS))
          .execute();
        for (const row of rows) found.push(toKey(row, this.#d));
      }
      return found;
    });
  }

  async findKeyByHash(hash: string): Promise<KeyWithConsumer | null> {
    return this.#guard(() => findKeyByHash(this.#db, this.#d, hash));
  }

  async listKeys(filter: KeyFilter): Promise<KeyRecord[]> {
    return this.#guard(async () => {
      const rows = await this.#db
        .selectFrom("keys")
        .selectAll()
        .$if(filter.consumerId !== undefined, (q) => q.where("consumer_id", "=", filter.consumerId ?? ""))
        .$if(filter.lineageId !== undefined, (q) => q.where("lineage_id", "=", filter.lineageId ?? ""))
        .$if(filter.status !== undefined, (q) => q.where("status", "=", filter.status ?? ""))
        .$if(filter.after !== undefined, (q) => q.where("id", ">", filter.after ?? ""))
        .orderBy("id")
        .limit(filter.limit)
        .execute();
      return rows.map((row) => toKey(row, this.#d));
    });
  }

  async lineageMaxVersion(lineageId: string): Promise<number> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom("keys")
        .select((eb) => eb.fn.max("version").as("max"))
        .where("lineage_id", "=", lineageId)
        .executeTakeFirst();
      return row?.max ?? 0;
    });
  }

  async getRotation(id: string): Promise<Rotation | null> {
    return this.#guard(async () => {
      const row = await this.#db.selectFrom("rotations").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toRotation(row) : null;
    });
  }

  async listRotations(filter: RotationFilter): Promise<Rotation[]> {
    return this.#guard(async () => {
      const rows = await this.#db
        .selectFrom("rotations")
        .selectAll()
        .$if(filter.state !== undefined, (q) => q.where("state", "=", filter.state ?? ""))
        .$if(filter.consumerId !== undefined, (q) => q.where("consumer_id", "=", filter.consumerId ?? ""))
        .$if(filter.after !== undefined, (q) => q.where("id", ">", filter.after ?? ""))
        .orderBy("id")
        .limit(filter.limit)
        .execute();
      return rows.map(toRotation);
    });
  }

  async findOpenRotationForKey(keyId: string): Promise<Rotation | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom("rotations")
        .selectAll()
        .where("state", "=", "overlapping")
        .where((eb) => eb.or([eb("old_key_id", "=", keyId), eb("new_key_id", "=", keyId)]))
        .orderBy("id")
        .executeTakeFirst();
      return row ? toRotation(row) : null;
    });
  }

  async listAudit(page: Page): Promise<AuditEntry[]> {
    return this.#guard(async () => {
      const rows = await this.#db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", ">", auditCursor(page.after))
        .orderBy("seq")
        .limit(page.limit)
        .execute();
      return rows.map((row) => toAuditEntry(row, this.#d));
    });
  }

  async auditHead(): Promise<AuditHead | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom("audit_head")
        .select(["seq", "hash"])
        .where("id", "=", 1)
        .executeTakeFirst();
      return row && row.seq > 0 ? { seq: row.seq, hash: row.hash } : null;
    });
  }

  async claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxEvent[]> {
    return this.#guard(() =>
      runWriteTransaction(this.#db, this.#d, (trx) => claimOutbox(trx, this.#d, now, limit, leaseMs)),
    );
  }

  async markOutboxDelivered(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#guard(() =>
      runWriteTransaction(this.#db, this.#d, (trx) => markOutboxDelivered(trx, ids, now)),
    );
  }

  async markOutboxFailed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.#guard(() =>
      runWriteTransaction(this.#db, this.#d, (trx) => markOutboxFailed(trx, id, nextAttemptAt, error)),
    );
  }

  async findAdminTokenByHash(hash: string): Promise<AdminToken | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom("admin_tokens")
        .selectAll()
        .where("hash", "=", hash)
        .executeTakeFirst();
      return row ? toAdminToken(row) : null;
    });
  }

  async countAdminTokens(): Promise<number> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom("admin_tokens")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }

  async getAdminToken(id: string): Promise<AdminToken | null> {
    return this.#guard(() => opq.getAdminToken(this.#db, id));
  }

  async listAdminTokens(page: Page): Promise<AdminToken[]> {
    return this.#guard(() => opq.listAdminTokens(this.#db, page));
  }

  async recordAdminTokenUsage(touches: readonly AdminTokenTouch[]): Promise<void> {
    if (touches.length === 0) return;
    await this.#guard(() =>
      runWriteTransaction(this.#db, this.#d, (trx) => opq.recordAdminTokenUsage(trx, touches)),
    );
  }

  async findOperatorSession(hash: string): Promise<OperatorSession | null> {
    return this.#guard(() => opq.findOperatorSession(this.#db, hash));
  }

  async recordKeyUsage(touches: readonly KeyUsageTouch[]): Promise<void> {
    if (touches.length === 0) return;
    await this.#guard(() => runWriteTransaction(this.#db, this.#d, (trx) => recordKeyUsage(trx, touches)));
  }

  async getWebhook(id: string): Promise<Webhook | null> {
    return this.#guard(() => wq.getWebhook(this.#db, this.#d, id));
  }

  async listWebhooks(page: Page): Promise<Webhook[]> {
    return this.#guard(() => wq.listWebhooks(this.#db, this.#d, page));
  }

  async getWebhookSecrets(id: string): Promise<WebhookSigningSecrets | null> {
    return this.#guard(() => wq.getWebhookSecrets(this.#db, id));
  }

  async fanOut(
    deliveries: readonly NewDelivery[],
    eventIds: readonly string[],
    now: number,
    mails: readonly MailInput[] = [],
  ): Promise<void> {
    if (deliveries.length === 0 && eventIds.length === 0 && mails.length === 0) return;
    await this.#write(async (trx) => {
      for (const mail of mails) await pq.applyPortalWrite(trx, { type: "insertMail", mail });
      await wq.fanOut(trx, deliveries, eventIds, now);
    });
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.#write((trx) => wq.claimDeliveries(trx, this.#d, now, limit, leaseMs));
  }

  async recordAttempt(outcome: AttemptOutcome): Promise<boolean> {
    return this.#write((trx) => wq.recordAttempt(trx, this.#d, outcome));
  }

  async requeueDelivery(id: string, now: number): Promise<boolean> {
    return this.#write((trx) => wq.requeueDelivery(trx, id, now));
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    return this.#guard(() => wq.getDelivery(this.#db, id));
  }

  async listDeliveries(filter: DeliveryFilter): Promise<WebhookDelivery[]> {
    return this.#guard(() => wq.listDeliveries(this.#db, filter));
  }

  async listAttempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    return this.#guard(() => wq.listAttempts(this.#db, deliveryId));
  }

  async findConsumerByEmail(email: string): Promise<Consumer | null> {
    return this.#guard(() => pq.findConsumerByEmail(this.#db, this.#d, email));
  }

  async findPortalToken(hash: string): Promise<PortalToken | null> {
    return this.#guard(() => pq.findPortalToken(this.#db, hash));
  }

  async findPortalSession(hash: string): Promise<PortalSession | null> {
    return this.#guard(() => pq.findPortalSession(this.#db, hash));
  }

  async claimMail(now: number, limit: number, leaseMs: number): Promise<MailMessage[]> {
    return this.#write((trx) => pq.claimMail(trx, this.#d, now, limit, leaseMs));
  }

  async recordMailOutcome(outcome: MailOutcome): Promise<void> {
    await this.#write((trx) => pq.recordMailOutcome(trx, outcome));
  }

  async listMail(filter: MailFilter): Promise<MailMessage[]> {
    return this.#guard(() => pq.listMail(this.#db, filter));
  }

  async mailOptOuts(consumerIds: readonly string[]): Promise<Map<string, readonly MailKind[]>> {
    if (consumerIds.length === 0) return new Map();
    return this.#guard(() => pq.mailOptOuts(this.#db, this.#d, consumerIds));
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    return this.#write((trx) => lq.acquireLease(trx, name, holder, ttlMs, now));
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#write((trx) => lq.releaseLease(trx, name, holder));
  }

  async getLease(name: string): Promise<JobLease | null> {
    return this.#guard(() => lq.getLease(this.#db, name));
  }

  async addUsage(counts: readonly UsageCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.#write((trx) => uq.addUsage(trx, counts));
  }

  async keyUsage(keyIds: readonly string[], range: UsageRange): Promise<KeyUsageSum[]> {
    return this.#guard(() => uq.keyUsage(this.#db, keyIds, range));
  }

  async totalUsage(range: UsageRange): Promise<UsageSum[]> {
    return this.#guard(() => uq.totalUsage(this.#db, range));
  }

  async prunePortalRecords(before: number, limit: number): Promise<number> {
    return this.#write((trx) => pq.prunePortalRecords(trx, before, limit));
  }

  async pruneOperatorSessions(before: number, limit: number): Promise<number> {
    return this.#write((trx) => opq.pruneOperatorSessions(trx, before, limit));
  }

  async rollUpUsageMinutes(before: number, limit: number): Promise<number> {
    return this.#write((trx) => rq.rollUpUsageMinutes(trx, this.#d, before, limit));
  }

  async rollUpUsageHours(before: number, limit: number): Promise<number> {
    return this.#write((trx) => rq.rollUpUsageHours(trx, this.#d, before, limit));
  }

  async pruneWebhookDeliveries(before: number, limit: number): Promise<number> {
    return this.#write((trx) => rq.pruneWebhookDeliveries(trx, this.#d, before, limit));
  }

  async storeStats(): Promise<StoreStats> {
    return this.#guard(() => storeStats(this.#db, this.#d));
  }

  async countKeysByStatus(now: number): Promise<Record<KeyStatus, number>> {
    return this.#guard(() => oq.countKeysByStatus(this.#db, now));
  }

  async countConsumers(): Promise<number> {
    return this.#guard(() => oq.countRows(this.#db, "consumers"));
  }

  async countRotations(state: RotationState): Promise<number> {
    return this.#guard(() => oq.countRotations(this.#db, state));
  }

  async listEvents(filter: EventFilter): Promise<OutboxEventInput[]> {
    return this.#guard(() => oq.listEvents(this.#db, this.#d, filter));
  }

  async listConsumersWithPolicy(page: Page): Promise<Consumer[]> {
    return this.#guard(() => oq.listConsumersWithPolicy(this.#db, this.#d, page));
  }

  async listActiveKeysPastSunset(now: number, limit: number): Promise<KeyRecord[]> {
    return this.#guard(() => oq.listActiveKeysPastSunset(this.#db, this.#d, now, limit));
  }

  async loadCounters(now: number): Promise<CounterSnapshot[]> {
    return this.#guard(() => cq.loadCounters(this.#db, now));
  }

  async saveCounters(snapshots: readonly CounterSnapshot[], now: number): Promise<void> {
    await this.#write((trx) => cq.saveCounters(trx, snapshots, now));
  }

  async ping(): Promise<void> {
    await this.#guard(async () => {
      await sql`select 1`.execute(this.#db);
    });
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  /** One write transaction, store errors translated. */
  async #write<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return this.#guard(() => runWriteTransaction(this.#db, this.#d, work));
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof KeygateError) throw error;
      throw this.#d.translateError(error) ?? error;
    }
  }
}
