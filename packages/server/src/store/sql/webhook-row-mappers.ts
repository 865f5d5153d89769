import type {
  DeliveryAttempt,
  DeliveryStatus,
  EventType,
  JobLease,
  Webhook,
  WebhookDelivery,
  WebhookEventFilter,
  WebhookSigningSecrets,
} from "@keygate/core";
import type { Selectable } from "kysely";
import type {
  JobLeasesTable,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhooksTable,
} from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

// As in row-mappers.ts: union-typed columns are only written from typed records.

export function toWebhook(row: Selectable<WebhooksTable>, d: SqlDialect): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: d.readJson(row.events) as WebhookEventFilter[],
    description: row.description,
    createdAt: row.created_at,
    disabled: row.disabled === true || row.disabled === 1,
    deletedAt: row.deleted_at,
    secretRotatedAt: row.secret_rotated_at,
    revision: row.revision,
  };
}

export function toWebhookSecrets(
  row: Pick<Selectable<WebhooksTable>, "secret" | "previous_secret" | "previous_secret_expires_at">,
): WebhookSigningSecrets {
  return {
    current: row.secret,
    previous: row.previous_secret,
    previousExpiresAt: row.previous_secret_expires_at,
  };
}

export function toDelivery(row: Omit<Selectable<WebhookDeliveriesTable>, "payload">): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type as EventType,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    roundAttempts: row.round_attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    responseStatus: row.response_status,
    error: row.error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export function toAttempt(row: Selectable<WebhookAttemptsTable>): DeliveryAttempt {
  return {
    deliveryId: row.delivery_id,
    attempt: row.attempt,
    at: row.at,
    durationMs: row.duration_ms,
    responseStatus: row.response_status,
    error: row.error,
    ok: row.ok === true || row.ok === 1,
  };
}

export function toJobLease(row: Selectable<JobLeasesTable>): JobLease {
  return { name: row.name, holder: row.holder, expiresAt: row.expires_at };
}
