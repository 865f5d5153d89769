import { GENESIS_HASH } from "@keygate/core";
import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import { adminTokenRoles } from "./admin-token-roles-migration.ts";
import type { SqlDialect } from "./sql-dialect.ts";

/**
 * The schema, as code: no migration files on disk, so a bundled or installed
 * server migrates the same way as the repository. Names sort in the order they
 * must run; a released migration is never edited, only followed by a new one.
 */
export function keygateMigrations(dialect: SqlDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    "0001_initial": { up: (db) => initialSchema(db, dialect) },
    "0002_webhooks_and_job_leases": { up: (db) => webhooksAndJobLeases(db, dialect) },
    "0003_usage_minutes_and_alert_reads": { up: (db) => usageMinutesAndAlertReads(db) },
    "0004_limit_counters": { up: (db) => limitCounters(db) },
    "0005_portal_and_mail": { up: (db) => portalAndMail(db, dialect) },
    "0006_consumer_mail_settings": { up: (db) => consumerMailSettings(db, dialect) },
    "0007_usage_rollups": { up: (db) => usageRollups(db) },
    "0008_admin_token_roles": { up: (db) => adminTokenRoles(db) },
  };
  return { getMigrations: async () => migrations };
}

async function initialSchema(db: Kysely<unknown>, d: SqlDialect): Promise<void> {
  await db.schema
    .createTable("plans")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("rate_limit", "integer")
    .addColumn("rate_window_seconds", "integer")
    .addColumn("quota_limit", "bigint")
    .addColumn("quota_period", "text")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  // No foreign key on `plan`: a consumer may name a plan that config defines later.
  await db.schema
    .createTable("consumers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("plan", "text")
    .addColumn("metadata", d.jsonType, (c) => c.notNull())
    .addColumn("disabled", d.boolType, (c) => c.notNull())
    .addColumn("rotation_policy", d.jsonType)
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("consumer_id", "text", (c) => c.notNull().references("consumers.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("scopes", d.jsonType, (c) => c.notNull())
    .addColumn("env", "text", (c) => c.notNull())
    .addColumn("lineage_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("hint", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("deprecated_at", "bigint")
    .addColumn("sunset_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .addColumn("revoked_reason", "text")
    .addColumn("last_used_at", "bigint")
    .addColumn("metadata", d.jsonType, (c) => c.notNull())
    .addColumn("revision", "integer", (c) => c.notNull())
    .addUniqueConstraint("keys_hash_unique", ["hash"])
    // Also the lineage index: lookups by lineage_id use its leading column.
    .addUniqueConstraint("keys_lineage_version_unique", ["lineage_id", "version"])
    .execute();
  await db.schema.createIndex("keys_consumer_id_idx").on("keys").column("consumer_id").execute();
  await db.schema.createIndex("keys_status_idx").on("keys").column("status").execute();

  await db.schema
    .createTable("rotations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("lineage_id", "text", (c) => c.notNull())
    .addColumn("consumer_id", "text", (c) => c.notNull().references("consumers.id"))
    .addColumn("old_key_id", "text", (c) => c.notNull().references("keys.id"))
    .addColumn("new_key_id", "text", (c) => c.notNull().references("keys.id"))
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("sunset_at", "bigint", (c) => c.notNull())
    .addColumn("retire", "text", (c) => c.notNull())
    .addColumn("idle_seconds", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("completed_at", "bigint")
    .addColumn("completed_reason", "text")
    .execute();
  await db.schema.createIndex("rotations_state_idx").on("rotations").column("state").execute();
  await db.schema.createIndex("rotations_consumer_id_idx").on("rotations").column("consumer_id").execute();
  await db.schema.createIndex("rotations_old_key_id_idx").on("rotations").column("old_key_id").execute();
  await db.schema.createIndex("rotations_new_key_id_idx").on("rotations").column("new_key_id").execute();

  await db.schema
    .createTable("admin_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .addUniqueConstraint("admin_tokens_hash_unique", ["hash"])
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("seq", "bigint", (c) => c.primaryKey())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("actor", d.jsonType, (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("data", d.jsonType, (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_log_target_idx")
    .on("audit_log")
    .columns(["target_type", "target_id"])
    .execute();

  // One row, locked FOR UPDATE by every append in PostgreSQL: the chain's
  // serialization point, and the record of the tail that exposes truncation.
  await db.schema
    .createTable("audit_head")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await sql`insert into audit_head (id, seq, hash) values (1, 0, ${GENESIS_HASH})`.execute(db);

  await db.schema
    .createTable("outbox")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("data", d.jsonType, (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("delivered_at", "bigint")
    .addColumn("last_error", "text")
    .execute();
  await db.schema
    .createIndex("outbox_pending_idx")
    .on("outbox")
    .column("next_attempt_at")
    .where(sql.ref("delivered_at"), "is", null)
    .execute();
}

async function webhooksAndJobLeases(db: Kysely<unknown>, d: SqlDialect): Promise<void> {
  await db.schema
    .createTable("webhooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("events", d.jsonType, (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("disabled", d.boolType, (c) => c.notNull())
    .addColumn("deleted_at", "bigint")
    .addColumn("secret_rotated_at", "bigint")
    .addColumn("revision", "integer", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("previous_secret", "text")
    .addColumn("previous_secret_expires_at", "bigint")
    .execute();

  // No foreign key to the outbox: outbox rows may be pruned once fanned out.
  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id"))
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("round_attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", "bigint")
    .addColumn("last_attempt_at", "bigint")
    .addColumn("response_status", "integer")
    .addColumn("error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivered_at", "bigint")
    // Fan-out is idempotent through this constraint: one delivery per event and endpoint.
    .addUniqueConstraint("webhook_deliveries_event_webhook_unique", ["event_id", "webhook_id"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_webhook_idx")
    .on("webhook_deliveries")
    .columns(["webhook_id", "id"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due_idx")
    .on("webhook_deliveries")
    .column("next_attempt_at")
    .where(sql<boolean>`status = 'pending'`)
    .execute();

  await db.schema
    .createTable("webhook_attempts")
    .addColumn("delivery_id", "text", (c) => c.notNull().references("webhook_deliveries.id"))
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("response_status", "integer")
    .addColumn("error", "text")
    .addColumn("ok", d.boolType, (c) => c.notNull())
    .addPrimaryKeyConstraint("webhook_attempts_pk", ["delivery_id", "attempt"])
    .execute();

  await db.schema
    .createTable("job_leases")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("holder", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
}

/**
 * Per-key per-minute request counts (written as upsert-increments by every
 * node), and the indexes the alert listing and the rotation-policy job read
 * through. No foreign key on `key_id`: "" counts requests without a known key.
 */
async function usageMinutesAndAlertReads(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("usage_minutes")
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("minute", "bigint", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("count", "bigint", (c) => c.notNull())
    // Also the per-key range index: (key_id, minute) leads it.
    .addPrimaryKeyConstraint("usage_minutes_pk", ["key_id", "minute", "code"])
    .execute();
  await db.schema.createIndex("usage_minutes_minute_idx").on("usage_minutes").column("minute").execute();
  await db.schema.createIndex("outbox_type_id_idx").on("outbox").columns(["type", "id"]).execute();
  // (status, sunset_at), not a partial index on sunset_at: without table statistics SQLite prefers
  // keys_status_idx over a partial index, but takes this one for `status = ? and sunset_at <= ?`.
  await db.schema.createIndex("keys_status_sunset_idx").on("keys").columns(["status", "sunset_at"]).execute();
}

/**
 * The consumer portal and consumer mail: consumers' email (unique; stored
 * lower-case), plans' self-service scopes, keys' creator and IP allowlist,
 * one-time sign-in links, sessions, and the mail queue.
 */
async function portalAndMail(db: Kysely<unknown>, d: SqlDialect): Promise<void> {
  await db.schema.alterTable("consumers").addColumn("email", "text").execute();
  await db.schema.createIndex("consumers_email_unique").on("consumers").column("email").unique().execute();
  await db.schema.alterTable("plans").addColumn("scopes", d.jsonType).execute();
  await db.schema
    .alterTable("keys")
    .addColumn("created_by", "text", (c) => c.notNull().defaultTo("operator"))
    .execute();
  await db.schema.alterTable("keys").addColumn("allowed_ips", d.jsonType).execute();

  await db.schema
    .createTable("portal_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("consumer_id", "text", (c) => c.notNull().references("consumers.id"))
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addUniqueConstraint("portal_tokens_hash_unique", ["hash"])
    .execute();
  await db.schema
    .createTable("portal_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("consumer_id", "text", (c) => c.notNull().references("consumers.id"))
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("csrf_token", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .addUniqueConstraint("portal_sessions_hash_unique", ["hash"])
    .execute();
  await db.schema
    .createIndex("portal_sessions_consumer_idx")
    .on("portal_sessions")
    .column("consumer_id")
    .execute();
  await db.schema
    .createTable("mail_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("consumer_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("text_body", "text", (c) => c.notNull())
    .addColumn("html_body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("dedupe_key", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", "bigint")
    .addColumn("last_error", "text")
    .addColumn("sent_at", "bigint")
    .addUniqueConstraint("mail_messages_dedupe_unique", ["dedupe_key"])
    .execute();
  await db.schema
    .createIndex("mail_messages_due_idx")
    .on("mail_messages")
    .column("next_attempt_at")
    .where(sql<boolean>`status = 'queued'`)
    .execute();
  await db.schema
    .createIndex("mail_messages_consumer_idx")
    .on("mail_messages")
    .columns(["consumer_id", "id"])
    .execute();
}

/** The kinds of consumer mail each consumer turned off in the portal (a row only once they turned one off). */
async function consumerMailSettings(db: Kysely<unknown>, d: SqlDialect): Promise<void> {
  await db.schema
    .createTable("consumer_mail_settings")
    .addColumn("consumer_id", "text", (c) => c.primaryKey().references("consumers.id"))
    .addColumn("opt_out", d.jsonType, (c) => c.notNull())
    .execute();
}

/** Snapshots of a single node's rate-limit and quota counters, so a restart does not reset a quota. */
async function limitCounters(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("limit_counters")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("used", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("limit_counters_expires_idx")
    .on("limit_counters")
    .column("expires_at")
    .execute();
}

/**
 * Bounded usage (retention): per-minute rows older than `usage.retention.minuteDays`
 * are rolled up into `usage_hours`, hours older than `hourDays` into
 * `usage_days` (kept forever). Same shape as `usage_minutes`: the primary key
 * leads with key_id for per-key ranges, the time index serves totals and the
 * roll-up's oldest-first batches. The partial index finds finished webhook
 * deliveries by age for pruning without reading pending ones.
 */
async function usageRollups(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("usage_hours")
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("hour", "bigint", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("count", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("usage_hours_pk", ["key_id", "hour", "code"])
    .execute();
  await db.schema.createIndex("usage_hours_hour_idx").on("usage_hours").column("hour").execute();
  await db.schema
    .createTable("usage_days")
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("day", "bigint", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("count", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("usage_days_pk", ["key_id", "day", "code"])
    .execute();
  await db.schema.createIndex("usage_days_day_idx").on("usage_days").column("day").execute();
  await db.schema
    .createIndex("webhook_deliveries_finished_idx")
    .on("webhook_deliveries")
    .column("last_attempt_at")
    .where(sql<boolean>`status <> 'pending'`)
    .execute();
}
