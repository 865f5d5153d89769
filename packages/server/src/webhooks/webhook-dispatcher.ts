import type {
  ClaimedDelivery,
  Clock,
  KeyStore,
  MailInput,
  NewDelivery,
  OutboxEvent,
  Random,
  Webhook,
  WebhookStore,
} from "@keygate/core";
import { newId } from "@keygate/core";
import type { Logger } from "pino";
import { decideRetry, type RetryPolicy } from "./retry-policy.ts";
import { subscribes } from "./webhook-event-types.ts";
import { webhookPayload } from "./webhook-payload.ts";
import type { SendResult, WebhookSender } from "./webhook-sender.ts";
import { signDelivery } from "./webhook-signature.ts";

export interface WebhookDispatcherOptions {
  readonly store: KeyStore & WebhookStore;
  readonly sender: Pick<WebhookSender, "send">;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  /** Deliveries in flight at once. */
  readonly concurrency: number;
  /** How long a claimed delivery stays hidden from other claimers: above the send timeout. */
  readonly claimLeaseMs: number;
  /**
   * The consumer mail a batch of events calls for, queued in the same
   * transaction that marks the events fanned out (so each is queued once).
   * Undefined: no consumer mail (no SMTP).
   */
  readonly mailsFor?: ((events: readonly OutboxEvent[], now: number) => Promise<MailInput[]>) | undefined;
}

/** Outbox events claimed per fan-out step. */
const FAN_OUT_BATCH = 100;
/** How long a claimed outbox event stays hidden while it is fanned out. */
const FAN_OUT_LEASE_MS = 60_000;
const WEBHOOK_PAGE = 1000;

/** What a pass did, for logs and tests. */
export interface PassSummary {
  readonly fannedOut: number;
  readonly attempted: number;
  readonly delivered: number;
}

/**
 * Moves events from the outbox to webhook endpoints. A pass fans every due
 * outbox event out into one delivery per subscribed endpoint (idempotent,
 * and in the same transaction that marks the event fanned out), then sends
 * every due delivery with bounded concurrency, signing each attempt and
 * recording it with its outcome. Meant to run under the `webhooks` job
 * lease, on one node at a time; even so every step is safe to repeat, which
 * makes delivery at-least-once: receivers dedupe on `webhook-id`.
 */
export class WebhookDispatcher {
  readonly #o: WebhookDispatcherOptions;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
  }

  async runPass(signal: AbortSignal): Promise<PassSummary> {
    const fannedOut = await this.fanOut(signal);
    const { attempted, delivered } = await this.sendDue(signal);
    return { fannedOut, attempted, delivered };
  }

  /** Turns due outbox events into deliveries; returns how many events it fanned out. */
  async fanOut(signal: AbortSignal): Promise<number> {
    let total = 0;
    let webhooks: Webhook[] | undefined;
    while (!signal.aborted) {
      const now = this.#o.clock.now();
      const events = await this.#o.store.claimOutbox(now, FAN_OUT_BATCH, FAN_OUT_LEASE_MS);
      if (events.length === 0) break;
      webhooks ??= await this.#liveWebhooks();
      const deliveries = events.flatMap((event) => this.#deliveriesOf(event, webhooks ?? [], now));
      const mails = this.#o.mailsFor === undefined ? [] : await this.#o.mailsFor(events, now);
      await this.#o.store.fanOut(
        deliveries,
        events.map((e) => e.id),
        now,
        mails,
      );
      total += events.length;
    }
    return total;
  }

  /** Sends every due delivery, at most `concurrency` at once. */
  async sendDue(signal: AbortSignal): Promise<{ attempted: number; delivered: number }> {
    const inFlight = new Set<Promise<void>>();
    const webhooks = new Map<string, Promise<Webhook | null>>();
    let attempted = 0;
    let delivered = 0;
    try {
      while (!signal.aborted) {
        const free = this.#o.concurrency - inFlight.size;
        const claimed =
          free > 0
            ? await this.#o.store.claimDeliveries(this.#o.clock.now(), free, this.#o.claimLeaseMs)
            : [];
        for (const delivery of claimed) {
          let webhook = webhooks.get(delivery.webhookId);
          if (webhook === undefined) {
            webhook = this.#o.store.getWebhook(delivery.webhookId);
            webhooks.set(delivery.webhookId, webhook);
          }
          const task = this.#attempt(delivery, webhook, signal)
            .then((ok) => {
              attempted++;
              if (ok) delivered++;
            })
            .catch((error: unknown) => {
              this.#o.logger.warn({ err: error, deliveryId: delivery.id }, "webhook attempt not recorded");
            })
            .finally(() => inFlight.delete(task));
          inFlight.add(task);
        }
        if (inFlight.size === 0) break;
        if (claimed.length === 0 || inFlight.size >= this.#o.concurrency) await Promise.race(inFlight);
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
    return { attempted, delivered };
  }

  #deliveriesOf(event: OutboxEvent, webhooks: readonly Webhook[], now: number): NewDelivery[] {
    const payload = webhookPayload(event);
    return webhooks
      .filter((w) => !w.disabled && w.createdAt <= event.at && subscribes(w.events, event.type))
      .map((w) => ({
        id: newId("dlv", now, this.#o.random),
        webhookId: w.id,
        eventId: event.id,
        eventType: event.type,
        payload,
        createdAt: now,
      }));
  }

  async #liveWebhooks(): Promise<Webhook[]> {
    const all: Webhook[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.#o.store.listWebhooks({ after, limit: WEBHOOK_PAGE });
      all.push(...page);
      if (page.length < WEBHOOK_PAGE) return all;
      after = page.at(-1)?.id;
    }
  }

  /** One attempt: sends, then records it. Returns whether it was delivered. */
  async #attempt(
    delivery: ClaimedDelivery,
    webhookRead: Promise<Webhook | null>,
    signal: AbortSignal,
  ): Promise<boolean> {
    const webhook = await webhookRead;
    const secrets = webhook ? await this.#o.store.getWebhookSecrets(webhook.id) : null;
    const now = this.#o.clock.now();
    let result: SendResult;
    if (webhook === null || secrets === null || webhook.deletedAt !== null || webhook.disabled) {
      result = { ok: false, responseStatus: null, error: "webhook deleted or disabled", durationMs: 0 };
    } else {
      const headers = signDelivery(secrets, delivery.eventId, now, delivery.payload);
      result = await this.#o.sender.send(webhook.url, delivery.payload, headers, signal);
      // Stopped mid-send (lease lost or shutdown): leave the claim to run out; whoever
      // holds the lease next sends it again.
      if (signal.aborted && !result.ok) return false;
    }
    const at = this.#o.clock.now();
    const endpointGone = webhook === null || webhook.deletedAt !== null || webhook.disabled;
    const decision =
      result.ok || endpointGone
        ? null
        : decideRetry(this.#o.retry, delivery.roundAttempts + 1, at, this.#o.random);
    const status = result.ok ? "delivered" : decision?.type === "retry" ? "retry" : "failed";
    const recorded = await this.#o.store.recordAttempt({
      deliveryId: delivery.id,
      expectAttempts: delivery.attempts,
      at,
      durationMs: result.durationMs,
      responseStatus: result.responseStatus,
      error: result.error,
      status,
      nextAttemptAt: decision?.type === "retry" ? decision.at : null,
    });
    const log = {
      deliveryId: delivery.id,
      webhookId: delivery.webhookId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      attempt: delivery.attempts + 1,
      responseStatus: result.responseStatus,
      durationMs: result.durationMs,
      outcome: status,
      recorded,
    };
    if (result.ok) this.#o.logger.info(log, "webhook delivered");
    else this.#o.logger.warn({ ...log, error: result.error }, "webhook attempt failed");
    return result.ok;
  }
}
