import type { Consumer, KeyRecord, MailInput, MailKind, OutboxEvent, UsageStore } from "@keygate/core";
import { newId } from "@keygate/core";
import type { ServiceDeps } from "../services/service-deps.ts";
import { HOUR_MS, lastBuckets, MINUTE_MS } from "../usage/usage-series.ts";
import type { MailTemplates } from "./mail-templates.ts";

/** What one event calls for: a kind of mail to a consumer about a key, with the facts it states. */
interface MailPlan {
  readonly kind: MailKind;
  readonly consumerId: string;
  readonly keyId: string | undefined;
  readonly facts: Record<string, unknown>;
  /** The page of the portal the mail links to. */
  readonly path: string;
}

export interface ConsumerMailerOptions {
  readonly deps: Pick<ServiceDeps, "store" | "random">;
  readonly usage: Pick<UsageStore, "keyUsage">;
  readonly templates: MailTemplates;
  /** Public portal URL, no trailing slash. */
  readonly portalUrl: string;
  /** Kinds the operator turned off for everyone (`mail.disabledKinds`). */
  readonly disabledKinds: ReadonlySet<MailKind>;
}

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const human = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "—" : new Date(ms).toUTCString();
const humanIso = (iso: string | undefined) => (iso === undefined ? "—" : new Date(iso).toUTCString());

function actorText(createdBy: string): string {
  return createdBy === "consumer" ? "you, in the portal" : "your provider";
}

/**
 * Turns outbox events into consumer mail (the events' own transaction made
 * them durable; this runs when they are fanned out, and the mail is queued
 * in the same transaction that marks them fanned out). One mail per event
 * and kind, ever: its dedupe key is `<eventId>:<kind>`. Nothing for a
 * consumer without an email, a kind the operator turned off, or an optional
 * kind the consumer turned off. Never a secret: events carry none, and the
 * templates get hints and names only.
 */
export class ConsumerMailer {
  readonly #o: ConsumerMailerOptions;

  constructor(options: ConsumerMailerOptions) {
    this.#o = options;
  }

  async mailsFor(events: readonly OutboxEvent[], now: number): Promise<MailInput[]> {
    const plans: Array<{ event: OutboxEvent; plan: MailPlan }> = [];
    for (const event of events) {
      const plan = this.#plan(event);
      if (plan !== undefined && !this.#o.disabledKinds.has(plan.kind)) plans.push({ event, plan });
    }
    if (plans.length === 0) return [];
    const { store } = this.#o.deps;
    const consumerIds = [...new Set(plans.map((p) => p.plan.consumerId))];
    const keyIds = [...new Set(plans.flatMap((p) => (p.plan.keyId === undefined ? [] : [p.plan.keyId])))];
    const [consumers, keys, optOuts] = await Promise.all([
      Promise.all(consumerIds.map((id) => store.getConsumer(id))),
      store.getKeys(keyIds),
      store.mailOptOuts(consumerIds),
    ]);
    const consumerById = new Map(consumers.flatMap((c) => (c === null ? [] : [[c.id, c] as const])));
    const keyById = new Map(keys.map((k) => [k.id, k]));
    const mails: MailInput[] = [];
    for (const { event, plan } of plans) {
      const consumer = consumerById.get(plan.consumerId);
      if (consumer === undefined || consumer.email === null) continue;
      if (optOuts.get(consumer.id)?.includes(plan.kind)) continue;
      const key = plan.keyId === undefined ? undefined : keyById.get(plan.keyId);
      const facts = await this.#facts(plan, key, now);
      if (facts === undefined) continue;
      mails.push(this.#render(event, plan, consumer, key, facts, now));
    }
    return mails;
  }

  /** Which mail an event calls for, from its payload alone. */
  #plan(event: OutboxEvent): MailPlan | undefined {
    const d = event.data;
    const consumerId = str(d.consumerId);
    if (consumerId === undefined) return undefined;
    const keyId = str(d.keyId);
    const keyPath = keyId === undefined ? "/" : `/keys/${keyId}`;
    switch (event.type) {
      case "key.created":
        return { kind: "key_created", consumerId, keyId, facts: {}, path: keyPath };
      case "key.rotation_due":
        return {
          kind: "rotation_due",
          consumerId,
          keyId,
          facts: { dueAt: str(d.dueAt), sunsetAt: str(d.sunsetAt) },
          path: keyPath,
        };
      case "key.sunset_approaching": {
        const rotationId = str(d.rotationId);
        return {
          kind: "sunset_in_use",
          consumerId,
          keyId,
          facts: { sunsetAt: str(d.sunsetAt) },
          path: rotationId === undefined ? keyPath : `/rotations/${rotationId}`,
        };
      }
      case "key.expired":
        return { kind: "expired_in_use", consumerId, keyId, facts: {}, path: keyPath };
      case "key.revoked": {
        // A leak has its own mail; a rolled-back rotation's new key is the consumer's (or operator's) undo.
        const reason = str(d.reason);
        if (reason === "leaked" || reason === "rolled_back") return undefined;
        const by = d.revokedBy === "consumer" ? "you, in the portal" : "your provider";
        return { kind: "key_revoked", consumerId, keyId, facts: { reason, by }, path: keyPath };
      }
      case "key.leaked":
        return {
          kind: "key_leaked",
          consumerId,
          keyId,
          facts: {
            source: str(d.source),
            action: d.action === "rotate" ? "rotated to a new key" : "revoked",
          },
          path: "/",
        };
      case "quota.threshold":
        return {
          kind: d.threshold === 100 ? "quota_100" : "quota_80",
          consumerId,
          keyId: undefined,
          facts: { used: d.used, limit: d.limit, resetAt: humanIso(str(d.resetAt)) },
          path: "/usage",
        };
      default:
        return undefined;
    }
  }

  /** The facts read at send time; undefined when the mail is not called for after all. */
  async #facts(
    plan: MailPlan,
    key: KeyRecord | undefined,
    now: number,
  ): Promise<Record<string, unknown> | undefined> {
    if (plan.keyId !== undefined && key === undefined) return undefined;
    switch (plan.kind) {
      case "sunset_in_use": {
        if (key === undefined) return undefined;
        const range = lastBuckets(now, 60, MINUTE_MS);
        const sums = await this.#o.usage.keyUsage([key.id], range);
        const requestsLastHour = sums.reduce((total, s) => total + s.count, 0);
        return {
          ...plan.facts,
          sunsetAt: humanIso(str(plan.facts.sunsetAt)),
          requestsLastHour,
          lastUsedAt: human(key.lastUsedAt),
        };
      }
      case "expired_in_use": {
        // Only a key someone was still using within the hour before it expired is worth a mail.
        if (key === undefined || key.lastUsedAt === null) return undefined;
        const expiredAt = key.sunsetAt ?? key.expiresAt ?? now;
        if (key.lastUsedAt < expiredAt - HOUR_MS) return undefined;
        return { expiredAt: human(expiredAt), lastUsedAt: human(key.lastUsedAt) };
      }
      case "rotation_due":
        return {
          dueAt: plan.facts.dueAt === undefined ? undefined : humanIso(str(plan.facts.dueAt)),
          sunsetAt: plan.facts.sunsetAt === undefined ? undefined : humanIso(str(plan.facts.sunsetAt)),
        };
      case "key_created":
        return key === undefined ? undefined : { by: actorText(key.createdBy), at: human(key.createdAt) };
      case "key_revoked":
        return { ...plan.facts, at: human(key?.revokedAt) };
      default:
        return plan.facts;
    }
  }

  #render(
    event: OutboxEvent,
    plan: MailPlan,
    consumer: Consumer,
    key: KeyRecord | undefined,
    facts: Record<string, unknown>,
    now: number,
  ): MailInput {
    const rendered = this.#o.templates.render(plan.kind, {
      ...facts,
      consumer: { name: consumer.name },
      key: key === undefined ? undefined : { name: key.name, hint: key.hint, env: key.env },
      link: `${this.#o.portalUrl}${plan.path}`,
      at: facts.at ?? human(event.at),
    });
    return {
      id: newId("mail", now, this.#o.deps.random),
      consumerId: consumer.id,
      kind: plan.kind,
      to: consumer.email ?? "",
      ...rendered,
      createdAt: now,
      expiresAt: null,
      dedupeKey: `${event.id}:${plan.kind}`,
    };
  }
}
