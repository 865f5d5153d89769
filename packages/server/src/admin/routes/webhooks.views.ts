import type { DeliveryAttempt, Webhook, WebhookDelivery } from "@keygate/core";
import { z } from "zod";
import { defaultWebhookAdmin, type WebhookAdmin } from "../../webhooks/webhook-admin.ts";
import { WEBHOOK_EVENT_TYPES } from "../../webhooks/webhook-event-types.ts";
import type { AdminContext } from "../route-kit.ts";
import { text } from "../schemas.ts";

/** Request and response shapes of the webhook endpoints (docs/webhooks.md). */

const isoTime = z.iso.datetime();
const eventFilter = z.enum(["*", ...WEBHOOK_EVENT_TYPES]);

export const webhookIdParams = z.strictObject({
  id: z.string().regex(/^whk_[0-9A-Za-z]{1,64}$/, { message: "must be a webhook id (whk_…)" }),
});

export const deliveryParams = z.strictObject({
  id: webhookIdParams.shape.id,
  deliveryId: z.string().regex(/^dlv_[0-9A-Za-z]{1,64}$/, { message: "must be a delivery id (dlv_…)" }),
});

export const webhookInput = z.strictObject({
  url: z.string().min(1).max(2048),
  events: z
    .array(eventFilter)
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length + 1),
  description: text(500).optional(),
});

export const webhookViewSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(eventFilter),
  description: z.string().nullable(),
  createdAt: isoTime,
  disabled: z.boolean(),
  secretRotatedAt: isoTime.nullable(),
});

export const deliveryViewSchema = z.strictObject({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  /** Attempts made so far. */
  attempt: z.int(),
  status: z.enum(["pending", "delivered", "failed"]),
  responseStatus: z.int().nullable(),
  error: z.string().nullable(),
  /** The last attempt, or the creation before the first. */
  at: isoTime,
  nextAttemptAt: isoTime.nullable(),
});

export const attemptViewSchema = z.strictObject({
  attempt: z.int(),
  at: isoTime,
  durationMs: z.int(),
  responseStatus: z.int().nullable(),
  error: z.string().nullable(),
  ok: z.boolean(),
});

/** A webhook and its signing secret: only the creation and rotation answers carry one. */
export const webhookWithSecretSchema = z.strictObject({ webhook: webhookViewSchema, secret: z.string() });

const iso = (ms: number) => new Date(ms).toISOString();

export function webhookView(w: Webhook): z.infer<typeof webhookViewSchema> {
  return {
    id: w.id,
    url: w.url,
    events: [...w.events],
    description: w.description,
    createdAt: iso(w.createdAt),
    disabled: w.disabled,
    secretRotatedAt: w.secretRotatedAt === null ? null : iso(w.secretRotatedAt),
  };
}

export function deliveryView(d: WebhookDelivery): z.infer<typeof deliveryViewSchema> {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    attempt: d.attempts,
    status: d.status,
    responseStatus: d.responseStatus,
    error: d.error,
    at: iso(d.lastAttemptAt ?? d.createdAt),
    nextAttemptAt: d.status === "pending" && d.nextAttemptAt !== null ? iso(d.nextAttemptAt) : null,
  };
}

export function attemptView(a: DeliveryAttempt): z.infer<typeof attemptViewSchema> {
  return {
    attempt: a.attempt,
    at: iso(a.at),
    durationMs: a.durationMs,
    responseStatus: a.responseStatus,
    error: a.error,
    ok: a.ok,
  };
}

/** The node's webhook settings, or the strict defaults when the app was built without them. */
export function webhookAdminOf(ctx: AdminContext): WebhookAdmin {
  return ctx.webhooks ?? defaultWebhookAdmin();
}
