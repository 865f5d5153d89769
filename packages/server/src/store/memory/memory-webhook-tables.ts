import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryFilter,
  JobLease,
  NewDelivery,
  Page,
  Webhook,
  WebhookDelivery,
  WebhookSigningSecrets,
  WebhookWrite,
} from "@keygate/core";

/** Longest failure text kept per attempt, as in the SQL stores. */
export const MAX_ATTEMPT_ERROR_LENGTH = 2000;

export interface StoredWebhook {
  readonly webhook: Webhook;
  readonly secrets: WebhookSigningSecrets;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Applies a webhook write to a copy of the memory store's webhook table;
 * returns the conflict that voids the whole unit, or null.
 */
export function applyWebhookWrite(table: Map<string, StoredWebhook>, write: WebhookWrite): string | null {
  switch (write.type) {
    case "insertWebhook":
      if (table.has(write.webhook.id)) return `webhook ${write.webhook.id} exists`;
      table.set(write.webhook.id, { webhook: { ...write.webhook, revision: 0 }, secrets: write.secrets });
      return null;
    case "updateWebhook": {
      const current = table.get(write.webhook.id);
      if (!current || current.webhook.revision !== write.expectRevision) {
        return `webhook ${write.webhook.id} changed concurrently`;
      }
      const w = write.webhook;
      table.set(w.id, {
        webhook: {
          ...current.webhook,
          url: w.url,
          events: w.events,
          description: w.description,
          disabled: w.disabled,
          deletedAt: w.deletedAt,
          secretRotatedAt: w.secretRotatedAt,
          revision: current.webhook.revision + 1,
        },
        secrets: write.secrets ?? current.secrets,
      });
      return null;
    }
  }
}

export function listLiveWebhooks(table: ReadonlyMap<string, StoredWebhook>, page: Page): Webhook[] {
  const after = page.after;
  return [...table.values()]
    .map((row) => row.webhook)
    .filter((w) => w.deletedAt === null && (after === undefined || w.id > after))
    .sort(byId)
    .slice(0, page.limit);
}

interface DeliveryRow extends ClaimedDelivery {}

/** Deliveries and their attempt log, in process. Every method is synchronous, hence atomic. */
export class MemoryDeliveries {
  readonly #rows = new Map<string, DeliveryRow>();
  readonly #byEventAndWebhook = new Set<string>();
  readonly #attempts = new Map<string, DeliveryAttempt[]>();

  insert(deliveries: readonly NewDelivery[]): void {
    for (const d of deliveries) {
      const pair = `${d.eventId}\u0000${d.webhookId}`;
      if (this.#byEventAndWebhook.has(pair) || this.#rows.has(d.id)) continue;
      this.#byEventAndWebhook.add(pair);
      this.#rows.set(d.id, {
        id: d.id,
        webhookId: d.webhookId,
        eventId: d.eventId,
        eventType: d.eventType,
        payload: d.payload,
        status: "pending",
        attempts: 0,
        roundAttempts: 0,
        nextAttemptAt: d.createdAt,
        lastAttemptAt: null,
        responseStatus: null,
        error: null,
        createdAt: d.createdAt,
        deliveredAt: null,
      });
    }
  }

  claim(now: number, limit: number, leaseMs: number): ClaimedDelivery[] {
    if (limit <= 0) return [];
    const due = [...this.#rows.values()]
      .filter((d) => d.status === "pending" && d.nextAttemptAt !== null && d.nextAttemptAt <= now)
      .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || byId(a, b))
      .slice(0, limit);
    for (const d of due) this.#rows.set(d.id, { ...d, nextAttemptAt: now + leaseMs });
    return due;
  }

  record(outcome: AttemptOutcome): boolean {
    const row = this.#rows.get(outcome.deliveryId);
    if (!row || row.attempts !== outcome.expectAttempts) return false;
    const error = outcome.error === null ? null : outcome.error.slice(0, MAX_ATTEMPT_ERROR_LENGTH);
    const attempt = row.attempts + 1;
    const log = this.#attempts.get(row.id) ?? [];
    log.push({
      deliveryId: row.id,
      attempt,
      at: outcome.at,
      durationMs: outcome.durationMs,
      responseStatus: outcome.responseStatus,
      error,
      ok: outcome.status === "delivered",
    });
    this.#attempts.set(row.id, log);
    this.#rows.set(row.id, {
      ...row,
      status: outcome.status === "retry" ? "pending" : outcome.status,
      attempts: attempt,
      roundAttempts: row.roundAttempts + 1,
      nextAttemptAt: outcome.status === "retry" ? outcome.nextAttemptAt : null,
      lastAttemptAt: outcome.at,
      responseStatus: outcome.responseStatus,
      error,
      deliveredAt: outcome.status === "delivered" ? outcome.at : row.deliveredAt,
    });
    return true;
  }

  requeue(id: string, now: number): boolean {
    const row = this.#rows.get(id);
    if (!row) return false;
    this.#rows.set(id, { ...row, status: "pending", roundAttempts: 0, nextAttemptAt: now });
    return true;
  }

  get(id: string): WebhookDelivery | null {
    const row = this.#rows.get(id);
    return row ? withoutPayload(row) : null;
  }

  list(filter: DeliveryFilter): WebhookDelivery[] {
    const after = filter.after;
    return [...this.#rows.values()]
      .filter((d) => d.webhookId === filter.webhookId && (after === undefined || d.id > after))
      .sort(byId)
      .slice(0, filter.limit)
      .map(withoutPayload);
  }

  attempts(deliveryId: string): DeliveryAttempt[] {
    return [...(this.#attempts.get(deliveryId) ?? [])];
  }

  /** Drops up to `limit` finished deliveries last attempted before `before`, oldest first, with their attempts. */
  prune(before: number, limit: number): number {
    const old = [...this.#rows.values()]
      .filter((d) => d.status !== "pending" && d.lastAttemptAt !== null && d.lastAttemptAt < before)
      .sort((a, b) => (a.lastAttemptAt ?? 0) - (b.lastAttemptAt ?? 0) || byId(a, b))
      .slice(0, limit);
    for (const d of old) {
      this.#rows.delete(d.id);
      this.#attempts.delete(d.id);
      this.#byEventAndWebhook.delete(`${d.eventId}\u0000${d.webhookId}`);
    }
    return old.length;
  }

  /** Deliveries and attempts held, for `storeStats`. */
  rowCounts(): { deliveries: number; attempts: number } {
    let attempts = 0;
    for (const log of this.#attempts.values()) attempts += log.length;
    return { deliveries: this.#rows.size, attempts };
  }
}

function withoutPayload(row: DeliveryRow): WebhookDelivery {
  const { payload: _payload, ...delivery } = row;
  return delivery;
}

/** Job leases, in process. */
export class MemoryLeases {
  readonly #leases = new Map<string, JobLease>();

  acquire(name: string, holder: string, ttlMs: number, now: number): boolean {
    const current = this.#leases.get(name);
    if (current && current.holder !== holder && current.expiresAt > now) return false;
    this.#leases.set(name, { name, holder, expiresAt: now + ttlMs });
    return true;
  }

  release(name: string, holder: string): void {
    if (this.#leases.get(name)?.holder === holder) this.#leases.delete(name);
  }

  get(name: string): JobLease | null {
    return this.#leases.get(name) ?? null;
  }
}
