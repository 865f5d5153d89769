import type {
  Actor,
  DeliveryAttempt,
  Page,
  Webhook,
  WebhookDelivery,
  WebhookEventFilter,
  WebhookSigningSecrets,
} from "@keygate/core";
import { KeygateError, MAX_OVERLAP_SECONDS, newId } from "@keygate/core";
import { auditEntry, commitOrConflict, notFound, type ServiceDeps } from "../services/service-deps.ts";
import type { WebhookAdmin } from "./webhook-admin.ts";
import { webhookStoreOf } from "./webhook-admin.ts";
import { generateWebhookSecret } from "./webhook-secret.ts";

/** Default overlap of a secret rotation: receivers have a day to switch to the new secret. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;

export interface WebhookInput {
  readonly url: string;
  readonly events: readonly WebhookEventFilter[];
  readonly description?: string | undefined;
}

/** The URL as audit entries keep it: without query and fragment, which may carry a receiver's token. */
function auditUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** `*` subsumes everything; duplicates go. */
function normalizeEvents(events: readonly WebhookEventFilter[]): WebhookEventFilter[] {
  return events.includes("*") ? ["*"] : [...new Set(events)];
}

/** Registers an endpoint; the secret is in this answer and nowhere else, ever. */
export async function createWebhook(
  deps: ServiceDeps,
  admin: WebhookAdmin,
  actor: Actor,
  input: WebhookInput,
): Promise<{ webhook: Webhook; secret: string }> {
  const url = await admin.guard.check(input.url);
  const now = deps.clock.now();
  const secret = generateWebhookSecret(deps.random);
  const webhook: Webhook = {
    id: newId("whk", now, deps.random),
    url: url.href,
    events: normalizeEvents(input.events),
    description: input.description ?? null,
    createdAt: now,
    disabled: false,
    deletedAt: null,
    secretRotatedAt: null,
    revision: 0,
  };
  const secrets: WebhookSigningSecrets = { current: secret, previous: null, previousExpiresAt: null };
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "insertWebhook", webhook, secrets }],
      audit: [
        auditEntry(now, actor, "webhook.create", "webhook", webhook.id, {
          url: auditUrl(url),
          events: webhook.events,
        }),
      ],
      events: [],
    },
    "webhook registration",
  );
  return { webhook, secret };
}

/** A live (not deleted) endpoint, else 404. */
export async function getWebhookOrThrow(deps: ServiceDeps, id: string): Promise<Webhook> {
  const webhook = await webhookStoreOf(deps.store).getWebhook(id);
  if (!webhook || webhook.deletedAt !== null) throw notFound("webhook", id);
  return webhook;
}

export async function listWebhooks(deps: ServiceDeps, page: Page): Promise<Webhook[]> {
  return webhookStoreOf(deps.store).listWebhooks(page);
}

/** Deletes an endpoint: nothing more is sent to it, pending deliveries end as failed. */
export async function deleteWebhook(deps: ServiceDeps, actor: Actor, id: string): Promise<void> {
  const current = await getWebhookOrThrow(deps, id);
  const now = deps.clock.now();
  await commitOrConflict(
    deps,
    {
      writes: [
        {
          type: "updateWebhook",
          webhook: { ...current, deletedAt: now },
          expectRevision: current.revision,
        },
      ],
      audit: [auditEntry(now, actor, "webhook.delete", "webhook", id, {})],
      events: [],
    },
    "webhook deletion",
  );
}

/**
 * Replaces the signing secret. For `overlapSeconds` the old secret keeps
 * signing too (both signatures on every attempt), so receivers switch
 * without a failed verification; 0 drops it at once. Only the newest
 * previous secret is kept: rotating again within an overlap ends the older one.
 */
export async function rotateWebhookSecret(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  overlapSeconds: number = DEFAULT_SECRET_OVERLAP_SECONDS,
): Promise<{ webhook: Webhook; secret: string }> {
  if (overlapSeconds < 0 || overlapSeconds > MAX_OVERLAP_SECONDS) {
    throw new KeygateError("VALIDATION_FAILED", "overlapSeconds is out of range", [
      { path: "/body/overlapSeconds", message: `must be 0 to ${MAX_OVERLAP_SECONDS}` },
    ]);
  }
  const store = webhookStoreOf(deps.store);
  const current = await getWebhookOrThrow(deps, id);
  const old = await store.getWebhookSecrets(id);
  if (old === null) throw notFound("webhook", id);
  const now = deps.clock.now();
  const secret = generateWebhookSecret(deps.random);
  const previousExpiresAt = overlapSeconds > 0 ? now + Math.round(overlapSeconds * 1000) : null;
  const webhook: Webhook = { ...current, secretRotatedAt: now, revision: current.revision + 1 };
  await commitOrConflict(
    deps,
    {
      writes: [
        {
          type: "updateWebhook",
          webhook,
          secrets: {
            current: secret,
            previous: previousExpiresAt === null ? null : old.current,
            previousExpiresAt,
          },
          expectRevision: current.revision,
        },
      ],
      audit: [
        auditEntry(now, actor, "webhook.rotate_secret", "webhook", id, {
          overlapSeconds,
          previousSecretExpiresAt:
            previousExpiresAt === null ? null : new Date(previousExpiresAt).toISOString(),
        }),
      ],
      events: [],
    },
    "webhook secret rotation",
  );
  return { webhook, secret };
}

export async function listDeliveries(
  deps: ServiceDeps,
  webhookId: string,
  page: Page,
): Promise<WebhookDelivery[]> {
  await getWebhookOrThrow(deps, webhookId);
  return webhookStoreOf(deps.store).listDeliveries({ webhookId, ...page });
}

async function deliveryOf(
  deps: ServiceDeps,
  webhookId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  await getWebhookOrThrow(deps, webhookId);
  const delivery = await webhookStoreOf(deps.store).getDelivery(deliveryId);
  if (!delivery || delivery.webhookId !== webhookId) throw notFound("delivery", deliveryId);
  return delivery;
}

/** One delivery with its attempt log. */
export async function getDelivery(
  deps: ServiceDeps,
  webhookId: string,
  deliveryId: string,
): Promise<{ delivery: WebhookDelivery; attempts: DeliveryAttempt[] }> {
  const delivery = await deliveryOf(deps, webhookId, deliveryId);
  return { delivery, attempts: await webhookStoreOf(deps.store).listAttempts(deliveryId) };
}

/**
 * Queues a delivery to be sent again now, whatever its status, with a fresh
 * retry schedule. It keeps its `webhook-id` (the event id): receivers that
 * already processed it recognize the duplicate.
 */
export async function redeliver(
  deps: ServiceDeps,
  webhookId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  await deliveryOf(deps, webhookId, deliveryId);
  const store = webhookStoreOf(deps.store);
  if (!(await store.requeueDelivery(deliveryId, deps.clock.now()))) throw notFound("delivery", deliveryId);
  const delivery = await store.getDelivery(deliveryId);
  if (!delivery) throw notFound("delivery", deliveryId);
  return delivery;
}
