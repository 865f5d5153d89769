import type { ColumnType } from "kysely";

/**
 * The tables as kysely sees them. Timestamps are epoch milliseconds in
 * BIGINT columns (read back as JS numbers on both dialects). JSON is TEXT in
 * SQLite and JSONB in PostgreSQL: always written as a JSON string, read as a
 * string (SQLite) or an already parsed value (pg), which `SqlDialect.readJson`
 * normalizes. Booleans are INTEGER 0/1 in SQLite and BOOLEAN in PostgreSQL.
 */
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;
type Bool = ColumnType<unknown, number | boolean, number | boolean>;
/** A column the database fills in when the insert leaves it out. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface PlansTable {
  name: string;
  rate_limit: number | null;
  rate_window_seconds: number | null;
  quota_limit: number | null;
  quota_period: string | null;
  scopes: NullableJson;
  updated_at: number;
}

export interface ConsumersTable {
  id: string;
  name: string;
  email: string | null;
  plan: string | null;
  metadata: Json;
  disabled: Bool;
  rotation_policy: NullableJson;
  created_at: number;
  updated_at: number;
}

export interface KeysTable {
  id: string;
  consumer_id: string;
  name: string;
  scopes: Json;
  env: string;
  lineage_id: string;
  version: number;
  status: string;
  hash: string;
  hint: string;
  created_at: number;
  expires_at: number | null;
  deprecated_at: number | null;
  sunset_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  last_used_at: number | null;
  metadata: Json;
  created_by: string;
  allowed_ips: NullableJson;
  revision: number;
}

export interface RotationsTable {
  id: string;
  lineage_id: string;
  consumer_id: string;
  old_key_id: string;
  new_key_id: string;
  started_at: number;
  sunset_at: number;
  retire: string;
  idle_seconds: number;
  state: string;
  completed_at: number | null;
  completed_reason: string | null;
}

export interface AdminTokensTable {
  id: string;
  name: string;
  hash: string;
  role: string;
  created_at: number;
  revoked_at: number | null;
  /** Migration 0008. */
  expires_at: number | null;
  last_used_at: number | null;
  created_by: string | null;
}

/** Dashboard sign-ins through OpenID Connect (migration 0008). */
export interface OperatorSessionsTable {
  id: string;
  hash: string;
  subject: string;
  email: string;
  role: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
}

export interface AuditLogTable {
  seq: number;
  at: number;
  actor: Json;
  action: string;
  target_type: string;
  target_id: string;
  data: Json;
  prev_hash: string;
  hash: string;
}

/** Exactly one row (id = 1): the last appended entry, or seq 0 and the genesis hash. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface OutboxTable {
  id: string;
  type: string;
  at: number;
  data: Json;
  attempts: Defaulted<number>;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

export interface WebhooksTable {
  id: string;
  url: string;
  events: Json;
  description: string | null;
  created_at: number;
  disabled: Bool;
  deleted_at: number | null;
  secret_rotated_at: number | null;
  revision: number;
  /** Signing secrets: read only by the dispatcher (`getWebhookSecrets`). */
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  /** The exact body every attempt sends and signs; TEXT, not JSON, so its bytes never change. */
  payload: string;
  status: string;
  attempts: number;
  round_attempts: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  response_status: number | null;
  error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: number;
  duration_ms: number;
  response_status: number | null;
  error: string | null;
  ok: Bool;
}

export interface JobLeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** One key's requests in one minute with one outcome; key_id "" for requests without a known key. */
export interface UsageMinutesTable {
  key_id: string;
  minute: number;
  code: string;
  count: number;
}

/** Per-minute rows older than the retention rolled up by hour (`hour`: start of the UTC hour, epoch ms). */
export interface UsageHoursTable {
  key_id: string;
  hour: number;
  code: string;
  count: number;
}

/** Hourly rows older than the retention rolled up by UTC day (`day`: its start, epoch ms); kept forever. */
export interface UsageDaysTable {
  key_id: string;
  day: number;
  code: string;
  count: number;
}

/** A single node's in-process limit counter, kept across restarts (see `CounterSnapshotStore`). */
export interface LimitCountersTable {
  key: string;
  used: number;
  expires_at: number;
}

export interface PortalTokensTable {
  id: string;
  consumer_id: string;
  hash: string;
  purpose: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface PortalSessionsTable {
  id: string;
  consumer_id: string;
  hash: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
}

/** Consumer mail, queued in the transaction of its cause and sent by the mail sender. */
export interface MailMessagesTable {
  id: string;
  consumer_id: string;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: number;
  expires_at: number | null;
  dedupe_key: string | null;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  sent_at: number | null;
}

export interface ConsumerMailSettingsTable {
  consumer_id: string;
  opt_out: Json;
}

export interface KeygateDatabase {
  plans: PlansTable;
  consumers: ConsumersTable;
  keys: KeysTable;
  rotations: RotationsTable;
  admin_tokens: AdminTokensTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  outbox: OutboxTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  job_leases: JobLeasesTable;
  limit_counters: LimitCountersTable;
  usage_minutes: UsageMinutesTable;
  usage_hours: UsageHoursTable;
  usage_days: UsageDaysTable;
  portal_tokens: PortalTokensTable;
  portal_sessions: PortalSessionsTable;
  mail_messages: MailMessagesTable;
  consumer_mail_settings: ConsumerMailSettingsTable;
  operator_sessions: OperatorSessionsTable;
}
