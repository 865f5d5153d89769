import {
  type AdminToken,
  type AuditEntry,
  type AuditHead,
  type CommitResult,
  type Consumer,
  type Hasher,
  type KeyFilter,
  KeygateError,
  type KeyRecord,
  type KeyStore,
  type KeyUsageTouch,
  type KeyWithConsumer,
  type OutboxEvent,
  type Page,
  type Plan,
  type Rotation,
  type RotationFilter,
  type UnitOfWork,
} from "@keygate/core";
import { type Kysely, Migrator, sql } from "kysely";
import { appendAudit } from "./append-audit.ts";
import { applyWrite } from "./apply-write.ts";
import { WriteConflict } from "./driver-errors.ts";
import { keygateMigrations } from "./migrations.ts";
import { claimOutbox, insertOutbox, markOutboxDelivered, markOutboxFailed } from "./outbox-queries.ts";
import { toAdminToken, toAuditEntry, toConsumer, toKey, toPlan, toRotation } from "./row-mappers.ts";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

export interface KyselyKeyStoreOptions {
  /** Owned by the store from now on: `close()` destroys it. */
  readonly db: Db;
  readonly dialect: SqlDialect;
  /** Hashes audit entries; `nodeHasher` at runtime. */
  readonly hasher: Hasher;
}

/** Times a transaction that hit a deadlock or serialization failure runs again before the error surfaces. */
const MAX_RETRIES = 3;
/** recordKeyUsage rows per statement: far below every driver's bind-parameter limit. */
const USAGE_CHUNK = 500;

const BUSY = Symbol("busy");
const RETRY = Symbol("retry");

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
export class KyselyKeyStore implements KeyStore {
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
    await this.#guard(() => (this.#d.migrateInWriteTransaction ? this.#transaction(run) : run(this.#db)));
  }

  async commit(unit: UnitOfWork): Promise<CommitResult> {
    return this.#guard(async () => {
      try {
        return await this.#transaction(async (trx): Promise<CommitResult> => {
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
      return row ? toPlan(row) : null;
    });
  }

  async listPlans(): Promise<Plan[]> {
    return this.#guard(async () => {
      const rows = await this.#db.selectFrom("plans").selectAll().orderBy("name").execute();
      return rows.map(toPlan);
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

  async findKeyByHash(hash: string): Promise<KeyWithConsumer | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom("keys")
        .innerJoin("consumers as c", "c.id", "keys.consumer_id")
        .selectAll("keys")
        .select([
          "c.name as c_name",
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
          plan: row.c_plan,
          metadata: row.c_metadata,
          disabled: row.c_disabled,
          rotation_policy: row.c_rotation_policy,
          created_at: row.c_created_at,
          updated_at: row.c_updated_at,
        },
        this.#d,
      );
      return { key: toKey(row, this.#d), consumer };
    });
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
    return this.#guard(() => this.#transaction((trx) => claimOutbox(trx, this.#d, now, limit, leaseMs)));
  }

  async markOutboxDelivered(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#guard(() => this.#transaction((trx) => markOutboxDelivered(trx, ids, now)));
  }

  async markOutboxFailed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.#guard(() => this.#transaction((trx) => markOutboxFailed(trx, id, nextAttemptAt, error)));
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

  async recordKeyUsage(touches: readonly KeyUsageTouch[]): Promise<void> {
    if (touches.length === 0) return;
    // One row per key (the latest touch), in id order: a single UPDATE … FROM
    // per chunk, and a fixed lock order so two batches never deadlock.
    const latest = new Map<string, number>();
    for (const t of touches) latest.set(t.keyId, Math.max(latest.get(t.keyId) ?? t.lastUsedAt, t.lastUsedAt));
    const rows = [...latest].sort(([a], [b]) => compareIds(a, b));
    await this.#guard(() =>
      this.#transaction(async (trx) => {
        for (let i = 0; i < rows.length; i += USAGE_CHUNK) {
          const values = sql.join(
            rows.slice(i, i + USAGE_CHUNK).map(([id, at]) => sql`(${id}, cast(${at} as bigint))`),
          );
          await sql`update keys set last_used_at = v.column2 from (values ${values}) as v
            where keys.id = v.column1 and (keys.last_used_at is null or keys.last_used_at < v.column2)`.execute(
            trx,
          );
        }
      }),
    );
  }

  async ping(): Promise<void> {
    await this.#guard(async () => {
      await sql`select 1`.execute(this.#db);
    });
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  /**
   * Runs `work` in one write transaction on one connection. SQLite's busy
   * answer and pg's deadlock/serialization failures release the connection
   * and run the whole transaction again, so `work` MUST NOT have effects
   * outside the transaction.
   */
  async #transaction<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#d.busyDeadlineMs;
    let retries = 0;
    let pause = 1;
    for (;;) {
      const outcome = await this.#db.connection().execute(async (conn) => {
        if (!(await this.#d.begin(conn))) return BUSY;
        try {
          const value = await work(conn);
          await sql`commit`.execute(conn);
          return { value };
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          if (this.#d.isRetryable(error) && retries < MAX_RETRIES) return RETRY;
          throw error;
        }
      });
      if (outcome === RETRY) {
        retries++;
        continue;
      }
      if (outcome !== BUSY) return outcome.value;
      if (Date.now() >= deadline) {
        throw new KeygateError(
          "STORE_UNAVAILABLE",
          `${this.#d.name} database stayed locked by another writer`,
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 10);
    }
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof KeygateError) throw error;
      throw this.#d.unavailable(error) ?? error;
    }
  }
}
