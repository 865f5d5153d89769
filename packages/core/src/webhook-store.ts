import type { DeliveryAttempt, EventType, Webhook, WebhookDelivery, WebhookSigningSecrets } from "./model.ts";
import type { Page } from "./page.ts";
import type { MailInput } from "./portal-store.ts";

/**
 * Webhook endpoint changes, committed through `KeyStore.commit` so that their
 * audit entries land in the same transaction.
 */
export type WebhookWrite =
  /** MUST conflict if the id exists. */
  | { readonly type: "insertWebhook"; readonly webhook: Webhook; readonly secrets: WebhookSigningSecrets }
  /**
   * Replaces url, events, description, disabled, deletedAt and
   * secretRotatedAt (and the secrets, when given) if and only if the stored
   * revision equals `expectRevision`; increments the revision.
   */
  | {
      readonly type: "updateWebhook";
      readonly webhook: Webhook;
      readonly secrets?: WebhookSigningSecrets | undefined;
      readonly expectRevision: number;
    };

/** A delivery to create when an event fans out. */
export interface NewDelivery {
  readonly id: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  /** The exact JSON body every attempt sends (and signs). */
  readonly payload: string;
  /** Also the first attempt's due time. */
  readonly createdAt: number;
}

/** A due delivery handed to the dispatcher, with what it needs to send. */
export interface ClaimedDelivery extends WebhookDelivery {
  readonly payload: string;
}

/** The outcome of one attempt, recorded atomically with the delivery's new state. */
export interface AttemptOutcome {
  readonly deliveryId: string;
  /** The `attempts` the dispatcher claimed the delivery with: the guard against a stale writer. */
  readonly expectAttempts: number;
  readonly at: number;
  readonly durationMs: number;
  readonly responseStatus: number | null;
  /** Bounded, secret-free; null on success. */
  readonly error: string | null;
  /** `delivered` (2xx), `retry` at `nextAttemptAt`, or `failed` for good. */
  readonly status: "delivered" | "retry" | "failed";
  readonly nextAttemptAt: number | null;
}

export interface DeliveryFilter extends Page {
  readonly webhookId: string;
}

/**
 * Webhook endpoints, their deliveries and the delivery log. Implemented by
 * the same classes as `KeyStore` (one database); `runWebhookStoreContract`
 * is the specification.
 */
export interface WebhookStore {
  /** Deleted endpoints too (with `deletedAt` set); null for an unknown id. */
  getWebhook(id: string): Promise<Webhook | null>;
  /** Endpoints not deleted, ordered by id ascending. */
  listWebhooks(page: Page): Promise<Webhook[]>;
  /** null for an unknown id. Only the dispatcher calls this. */
  getWebhookSecrets(id: string): Promise<WebhookSigningSecrets | null>;

  /**
   * In ONE transaction: inserts every delivery whose (eventId, webhookId) does
   * not exist yet (an existing one is left as it is, so fanning an event out
   * twice is harmless), queues the consumer `mails` the events call for (a
   * dedupe key already queued is skipped, as in `insertMail`), and marks
   * `eventIds` delivered in the outbox.
   */
  fanOut(
    deliveries: readonly NewDelivery[],
    eventIds: readonly string[],
    now: number,
    mails?: readonly MailInput[],
  ): Promise<void>;

  /**
   * Claims up to `limit` pending deliveries due at `now`, oldest due first,
   * and moves their next attempt to `now + leaseMs` in the same atomic step:
   * a concurrent claimer MUST NOT receive the same delivery while the lease
   * runs; a delivery whose claimer died is claimed again after it.
   */
  claimDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;

  /**
   * In ONE transaction: appends the attempt to the log and applies the
   * outcome (attempts + 1, status, next attempt, response status, error) if
   * and only if the delivery's `attempts` still equals `expectAttempts`.
   * Returns false, writing nothing, when the guard fails.
   */
  recordAttempt(outcome: AttemptOutcome): Promise<boolean>;

  /**
   * Makes a delivery pending and due at `now` with a fresh retry schedule
   * (`roundAttempts` 0), whatever its status. Returns false for an unknown id.
   */
  requeueDelivery(id: string, now: number): Promise<boolean>;

  getDelivery(id: string): Promise<WebhookDelivery | null>;
  /** A webhook's deliveries, ordered by id ascending (creation order). */
  listDeliveries(filter: DeliveryFilter): Promise<WebhookDelivery[]>;
  /** A delivery's attempts in order. */
  listAttempts(deliveryId: string): Promise<DeliveryAttempt[]>;
}
