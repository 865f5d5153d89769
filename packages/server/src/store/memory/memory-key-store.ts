import {
  type AdminToken,
  type AdminTokenTouch,
  type AttemptOutcome,
  type AuditEntry,
  type AuditHead,
  auditEntryHash,
  type ClaimedDelivery,
  type CommitResult,
  type Consumer,
  type CounterSnapshot,
  type DeliveryAttempt,
  type DeliveryFilter,
  type EventFilter,
  effectiveStatus,
  GENESIS_HASH,
  type Hasher,
  type JobLease,
  type KeyFilter,
  type KeyRecord,
  type KeyStatus,
  type KeyStore,
  type KeyUsageSum,
  type KeyUsageTouch,
  type KeyWithConsumer,
  type LeaseStore,
  type MailFilter,
  type MailInput,
  type MailKind,
  type MailMessage,
  type MailOutcome,
  type NewDelivery,
  type OperatorSession,
  type OperatorStore,
  type OutboxEvent,
  type OutboxEventInput,
  type OverviewStore,
  type Page,
  type Plan,
  type PolicyStore,
  type PortalSession,
  type PortalStore,
  type PortalToken,
  type RetentionStore,
  type Rotation,
  type RotationFilter,
  type RotationState,
  type StoreStats,
  type StoreStatsSource,
  type UnitOfWork,
  type UsageCount,
  type UsageRange,
  type UsageStore,
  type UsageSum,
  type Webhook,
  type WebhookDelivery,
  type WebhookSigningSecrets,
  type WebhookStore,
} from "@keygate/core";
import { applyOperatorWrite, touchAdminTokens } from "./memory-operator-tables.ts";
import * as portal from "./memory-portal-tables.ts";
import { MemoryUsageTable } from "./memory-usage-table.ts";
import {
  applyWebhookWrite,
  listLiveWebhooks,
  MemoryDeliveries,
  MemoryLeases,
  type StoredWebhook,
} from "./memory-webhook-tables.ts";

interface OutboxRow extends OutboxEvent {
  readonly nextAttemptAt: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

interface State {
  plans: Map<string, Plan>;
  consumers: Map<string, Consumer>;
  keys: Map<string, KeyRecord>;
  rotations: Map<string, Rotation>;
  tokens: Map<string, AdminToken>;
  operatorSessions: Map<string, OperatorSession>;
  audit: AuditEntry[];
  outbox: OutboxRow[];
  webhooks: Map<string, StoredWebhook>;
  portal: portal.PortalTables;
}

function emptyState(): State {
  return {
    plans: new Map(),
    consumers: new Map(),
    keys: new Map(),
    rotations: new Map(),
    tokens: new Map(),
    operatorSessions: new Map(),
    audit: [],
    outbox: [],
    webhooks: new Map(),
    portal: portal.emptyPortalTables(),
  };
}

function cloneState(s: State): State {
  return {
    plans: new Map(s.plans),
    consumers: new Map(s.consumers),
    keys: new Map(s.keys),
    rotations: new Map(s.rotations),
    tokens: new Map(s.tokens),
    operatorSessions: new Map(s.operatorSessions),
    audit: [...s.audit],
    outbox: [...s.outbox],
    webhooks: new Map(s.webhooks),
    portal: portal.clonePortalTables(s.portal),
  };
}

class Conflict extends Error {}

/** The SQL stores' unique index on `consumers.email`. */
function assertEmailFree(state: State, consumer: Consumer): void {
  if (consumer.email === null) return;
  for (const other of state.consumers.values()) {
    if (other.id !== consumer.id && other.email === consumer.email)
      throw new Conflict(`email of consumer ${consumer.id} is taken`);
  }
}

function page<T>(rows: T[], idOf: (row: T) => string, p: Page): T[] {
  const sorted = rows.sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const after = p.after;
  const from = after === undefined ? sorted : sorted.filter((row) => idOf(row) > after);
  return from.slice(0, p.limit);
}

/**
 * The reference `KeyStore`: everything in process, nothing durable. Each
 * commit works on a copy of the state and swaps it in only if every guard
 * held, which makes it atomic; JavaScript's single thread serializes commits.
 */
export class MemoryKeyStore
  implements
    KeyStore,
    WebhookStore,
    LeaseStore,
    UsageStore,
    OverviewStore,
    PolicyStore,
    PortalStore,
    RetentionStore,
    StoreStatsSource,
    OperatorStore
{
  #state: State = emptyState();
  readonly #hasher: Hasher;
  readonly #deliveries = new MemoryDeliveries();
  readonly #leases = new MemoryLeases();
  readonly #counterSnapshots = new Map<string, CounterSnapshot>();
  readonly #usage = new MemoryUsageTable();

  constructor(options: { hasher: Hasher }) {
    this.#hasher = options.hasher;
  }

  async migrate(): Promise<void> {}

  async commit(unit: UnitOfWork): Promise<CommitResult> {
    const next = cloneState(this.#state);
    try {
      for (const write of unit.writes) {
        switch (write.type) {
          case "putPlan":
            next.plans.set(write.plan.name, write.plan);
            break;
          case "insertConsumer":
            if (next.consumers.has(write.consumer.id))
              throw new Conflict(`consumer ${write.consumer.id} exists`);
            assertEmailFree(next, write.consumer);
            next.consumers.set(write.consumer.id, write.consumer);
            break;
          case "updateConsumer": {
            const current = next.consumers.get(write.consumer.id);
            if (!current) throw new Conflict(`consumer ${write.consumer.id} not found`);
            assertEmailFree(next, write.consumer);
            next.consumers.set(write.consumer.id, {
              ...write.consumer,
              id: current.id,
              createdAt: current.createdAt,
            });
            break;
          }
          case "insertKey": {
            const key = write.key;
            if (!next.consumers.has(key.consumerId))
              throw new Conflict(`consumer ${key.consumerId} not found`);
            for (const other of next.keys.values()) {
              if (other.id === key.id || other.hash === key.hash) throw new Conflict(`key ${key.id} exists`);
              if (other.lineageId === key.lineageId && other.version === key.version) {
                throw new Conflict(`lineage ${key.lineageId} already has version ${key.version}`);
              }
            }
            next.keys.set(key.id, { ...key, revision: 0 });
            break;
          }
          case "updateKey": {
            const current = next.keys.get(write.key.id);
            if (!current || current.revision !== write.expectRevision) {
              throw new Conflict(`key ${write.key.id} changed concurrently`);
            }
            const k = write.key;
            next.keys.set(k.id, {
              ...current,
              status: k.status,
              name: k.name,
              scopes: k.scopes,
              expiresAt: k.expiresAt,
              deprecatedAt: k.deprecatedAt,
              sunsetAt: k.sunsetAt,
              revokedAt: k.revokedAt,
              revokedReason: k.revokedReason,
              metadata: k.metadata,
              allowedIps: k.allowedIps,
              revision: current.revision + 1,
            });
            break;
          }
          case "revokeKeys": {
            for (const { id, expectRevision } of write.keys) {
              const current = next.keys.get(id);
              if (!current || current.revision !== expectRevision) {
                throw new Conflict(`key ${id} changed concurrently`);
              }
              next.keys.set(id, {
                ...current,
                status: "revoked",
                revokedAt: write.revokedAt,
                revokedReason: write.reason,
                revision: current.revision + 1,
              });
            }
            break;
          }
          case "insertRotation": {
            const r = write.rotation;
            if (next.rotations.has(r.id)) throw new Conflict(`rotation ${r.id} exists`);
            if (!next.consumers.has(r.consumerId)) throw new Conflict(`consumer ${r.consumerId} not found`);
            if (!next.keys.has(r.oldKeyId) || !next.keys.has(r.newKeyId)) {
              throw new Conflict(`rotation ${r.id} names an unknown key`);
            }
            next.rotations.set(r.id, r);
            break;
          }
          case "updateRotation": {
            const current = next.rotations.get(write.rotation.id);
            if (!current || current.state !== write.expectState) {
              throw new Conflict(`rotation ${write.rotation.id} changed concurrently`);
            }
            next.rotations.set(current.id, {
              ...current,
              state: write.rotation.state,
              completedAt: write.rotation.completedAt,
              completedReason: write.rotation.completedReason,
            });
            break;
          }
          case "insertAdminToken":
            if (next.tokens.has(write.token.id)) throw new Conflict(`admin token ${write.token.id} exists`);
            next.tokens.set(write.token.id, write.token);
            break;
          case "revokeAdminToken":
          case "insertOperatorSession":
          case "endOperatorSession": {
            const conflict = applyOperatorWrite(next.tokens, next.operatorSessions, write);
            if (conflict !== null) throw new Conflict(conflict);
            break;
          }
          case "insertWebhook":
          case "updateWebhook": {
            const conflict = applyWebhookWrite(next.webhooks, write);
            if (conflict !== null) throw new Conflict(conflict);
            break;
          }
          case "insertPortalToken":
          case "redeemPortalToken":
          case "insertPortalSession":
          case "endPortalSessions":
          case "insertMail":
          case "setMailOptOut": {
            const conflict = portal.applyPortalWrite(next.portal, write);
            if (conflict !== null) throw new Conflict(conflict);
            break;
          }
        }
      }
    } catch (error) {
      if (error instanceof Conflict) return { ok: false, conflict: error.message };
      throw error;
    }
    const auditSeqs: number[] = [];
    for (const input of unit.audit) {
      const last = next.audit.at(-1);
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      next.audit.push({ ...input, seq, prevHash, hash: auditEntryHash(this.#hasher, seq, prevHash, input) });
      auditSeqs.push(seq);
    }
    for (const event of unit.events) {
      if (next.outbox.some((row) => row.id === event.id))
        return { ok: false, conflict: `event ${event.id} exists` };
      next.outbox.push({
        id: event.id,
        type: event.type,
        at: event.at,
        data: event.data,
        attempts: 0,
        nextAttemptAt: event.at,
        deliveredAt: null,
        lastError: null,
      });
    }
    this.#state = next;
    return { ok: true, auditSeqs };
  }

  async getPlan(name: string): Promise<Plan | null> {
    return this.#state.plans.get(name) ?? null;
  }

  async listPlans(): Promise<Plan[]> {
    return [...this.#state.plans.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async getConsumer(id: string): Promise<Consumer | null> {
    return this.#state.consumers.get(id) ?? null;
  }

  async listConsumers(p: Page): Promise<Consumer[]> {
    return page([...this.#state.consumers.values()], (c) => c.id, p);
  }

  async getKey(id: string): Promise<KeyRecord | null> {
    return this.#state.keys.get(id) ?? null;
  }

  async getKeys(ids: readonly string[]): Promise<KeyRecord[]> {
    const found: KeyRecord[] = [];
    for (const id of new Set(ids)) {
      const key = this.#state.keys.get(id);
      if (key !== undefined) found.push(key);
    }
    return found;
  }

  async findKeyByHash(hash: string): Promise<KeyWithConsumer | null> {
    for (const key of this.#state.keys.values()) {
      if (key.hash === hash) {
        const consumer = this.#state.consumers.get(key.consumerId);
        return consumer ? { key, consumer } : null;
      }
    }
    return null;
  }

  async listKeys(filter: KeyFilter): Promise<KeyRecord[]> {
    const rows = [...this.#state.keys.values()].filter(
      (k) =>
        (filter.consumerId === undefined || k.consumerId === filter.consumerId) &&
        (filter.lineageId === undefined || k.lineageId === filter.lineageId) &&
        (filter.status === undefined || k.status === filter.status),
    );
    return page(rows, (k) => k.id, filter);
  }

  async lineageMaxVersion(lineageId: string): Promise<number> {
    let max = 0;
    for (const key of this.#state.keys.values())
      if (key.lineageId === lineageId && key.version > max) max = key.version;
    return max;
  }

  async getRotation(id: string): Promise<Rotation | null> {
    return this.#state.rotations.get(id) ?? null;
  }

  async listRotations(filter: RotationFilter): Promise<Rotation[]> {
    const rows = [...this.#state.rotations.values()].filter(
      (r) =>
        (filter.state === undefined || r.state === filter.state) &&
        (filter.consumerId === undefined || r.consumerId === filter.consumerId),
    );
    return page(rows, (r) => r.id, filter);
  }

  async findOpenRotationForKey(keyId: string): Promise<Rotation | null> {
    for (const r of this.#state.rotations.values()) {
      if (r.state === "overlapping" && (r.oldKeyId === keyId || r.newKeyId === keyId)) return r;
    }
    return null;
  }

  async listAudit(p: Page): Promise<AuditEntry[]> {
    const after = p.after === undefined ? 0 : Number(p.after);
    return this.#state.audit.filter((e) => e.seq > after).slice(0, p.limit);
  }

  async auditHead(): Promise<AuditHead | null> {
    const last = this.#state.audit.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : null;
  }

  async claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxEvent[]> {
    const due = this.#state.outbox
      .filter((row) => row.deliveredAt === null && row.nextAttemptAt <= now)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit);
    const claimed = new Set(due.map((row) => row.id));
    this.#updateOutbox((row) => (claimed.has(row.id) ? { ...row, nextAttemptAt: now + leaseMs } : row));
    return due.map((row) => ({
      id: row.id,
      type: row.type,
      at: row.at,
      data: row.data,
      attempts: row.attempts,
    }));
  }

  async markOutboxDelivered(ids: readonly string[], now: number): Promise<void> {
    const delivered = new Set(ids);
    this.#updateOutbox((row) =>
      delivered.has(row.id) && row.deliveredAt === null ? { ...row, deliveredAt: now } : row,
    );
  }

  async markOutboxFailed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    this.#updateOutbox((row) =>
      row.id === id ? { ...row, attempts: row.attempts + 1, nextAttemptAt, lastError: error } : row,
    );
  }

  #updateOutbox(change: (row: OutboxRow) => OutboxRow): void {
    this.#state = { ...this.#state, outbox: this.#state.outbox.map(change) };
  }

  async findAdminTokenByHash(hash: string): Promise<AdminToken | null> {
    for (const token of this.#state.tokens.values()) if (token.hash === hash) return token;
    return null;
  }

  async countAdminTokens(): Promise<number> {
    return this.#state.tokens.size;
  }

  async getAdminToken(id: string): Promise<AdminToken | null> {
    return this.#state.tokens.get(id) ?? null;
  }

  async listAdminTokens(p: Page): Promise<AdminToken[]> {
    return page([...this.#state.tokens.values()], (t) => t.id, p);
  }

  async recordAdminTokenUsage(touches: readonly AdminTokenTouch[]): Promise<void> {
    touchAdminTokens(this.#state.tokens, touches);
  }

  async findOperatorSession(hash: string): Promise<OperatorSession | null> {
    for (const session of this.#state.operatorSessions.values()) if (session.hash === hash) return session;
    return null;
  }

  async recordKeyUsage(touches: readonly KeyUsageTouch[]): Promise<void> {
    for (const touch of touches) {
      const key = this.#state.keys.get(touch.keyId);
      if (key && (key.lastUsedAt === null || key.lastUsedAt < touch.lastUsedAt)) {
        this.#state.keys.set(key.id, { ...key, lastUsedAt: touch.lastUsedAt });
      }
    }
  }

  async getWebhook(id: string): Promise<Webhook | null> {
    return this.#state.webhooks.get(id)?.webhook ?? null;
  }

  async listWebhooks(p: Page): Promise<Webhook[]> {
    return listLiveWebhooks(this.#state.webhooks, p);
  }

  async getWebhookSecrets(id: string): Promise<WebhookSigningSecrets | null> {
    return this.#state.webhooks.get(id)?.secrets ?? null;
  }

  async fanOut(
    deliveries: readonly NewDelivery[],
    eventIds: readonly string[],
    now: number,
    mails: readonly MailInput[] = [],
  ): Promise<void> {
    // Synchronous from here on: nothing else runs between the steps.
    for (const mail of mails) portal.applyPortalWrite(this.#state.portal, { type: "insertMail", mail });
    this.#deliveries.insert(deliveries);
    const fanned = new Set(eventIds);
    this.#updateOutbox((row) =>
      fanned.has(row.id) && row.deliveredAt === null ? { ...row, deliveredAt: now } : row,
    );
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.#deliveries.claim(now, limit, leaseMs);
  }

  async recordAttempt(outcome: AttemptOutcome): Promise<boolean> {
    return this.#deliveries.record(outcome);
  }

  async requeueDelivery(id: string, now: number): Promise<boolean> {
    return this.#deliveries.requeue(id, now);
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    return this.#deliveries.get(id);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<WebhookDelivery[]> {
    return this.#deliveries.list(filter);
  }

  async listAttempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    return this.#deliveries.attempts(deliveryId);
  }

  async findConsumerByEmail(email: string): Promise<Consumer | null> {
    for (const consumer of this.#state.consumers.values()) if (consumer.email === email) return consumer;
    return null;
  }

  async findPortalToken(hash: string): Promise<PortalToken | null> {
    for (const token of this.#state.portal.tokens.values()) if (token.hash === hash) return token;
    return null;
  }

  async findPortalSession(hash: string): Promise<PortalSession | null> {
    for (const session of this.#state.portal.sessions.values()) if (session.hash === hash) return session;
    return null;
  }

  async claimMail(now: number, limit: number, leaseMs: number): Promise<MailMessage[]> {
    return portal.claimMail(this.#state.portal, now, limit, leaseMs);
  }

  async recordMailOutcome(outcome: MailOutcome): Promise<void> {
    portal.recordMailOutcome(this.#state.portal, outcome);
  }

  async listMail(filter: MailFilter): Promise<MailMessage[]> {
    return portal.listMail(this.#state.portal, filter);
  }

  async mailOptOuts(consumerIds: readonly string[]): Promise<Map<string, readonly MailKind[]>> {
    const found = new Map<string, readonly MailKind[]>();
    for (const id of consumerIds) {
      const kinds = this.#state.portal.optOut.get(id);
      if (kinds !== undefined && kinds.length > 0) found.set(id, kinds);
    }
    return found;
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    return this.#leases.acquire(name, holder, ttlMs, now);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.#leases.release(name, holder);
  }

  async getLease(name: string): Promise<JobLease | null> {
    return this.#leases.get(name);
  }

  async addUsage(counts: readonly UsageCount[]): Promise<void> {
    this.#usage.add(counts);
  }

  async prunePortalRecords(before: number, limit: number): Promise<number> {
    return portal.prunePortalRecords(this.#state.portal, before, limit);
  }

  async pruneOperatorSessions(before: number, limit: number): Promise<number> {
    const old = [...this.#state.operatorSessions.values()]
      .filter((s) => (s.endedAt !== null && s.endedAt < before) || s.expiresAt < before)
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .slice(0, limit);
    for (const session of old) this.#state.operatorSessions.delete(session.id);
    return old.length;
  }

  async rollUpUsageMinutes(before: number, limit: number): Promise<number> {
    return this.#usage.rollUpMinutes(before, limit);
  }

  async rollUpUsageHours(before: number, limit: number): Promise<number> {
    return this.#usage.rollUpHours(before, limit);
  }

  async pruneWebhookDeliveries(before: number, limit: number): Promise<number> {
    return this.#deliveries.prune(before, limit);
  }

  /** Row counts of the tables the SQL stores would hold; memory has no size on disk. */
  async storeStats(): Promise<StoreStats> {
    const usage = this.#usage.rowCounts();
    const deliveries = this.#deliveries.rowCounts();
    const s = this.#state;
    const counts: Record<string, number> = {
      audit_log: s.audit.length,
      consumers: s.consumers.size,
      keys: s.keys.size,
      outbox: s.outbox.length,
      plans: s.plans.size,
      rotations: s.rotations.size,
      usage_days: usage.days,
      usage_hours: usage.hours,
      usage_minutes: usage.minutes,
      webhook_attempts: deliveries.attempts,
      webhook_deliveries: deliveries.deliveries,
      webhooks: s.webhooks.size,
    };
    return {
      backend: "memory",
      tables: Object.entries(counts).map(([table, rows]) => ({ table, rows, bytes: null })),
      totalBytes: null,
    };
  }

  async keyUsage(keyIds: readonly string[], range: UsageRange): Promise<KeyUsageSum[]> {
    return this.#usage.keyUsage(keyIds, range);
  }

  async totalUsage(range: UsageRange): Promise<UsageSum[]> {
    return this.#usage.totalUsage(range);
  }

  async countKeysByStatus(now: number): Promise<Record<KeyStatus, number>> {
    const counts: Record<KeyStatus, number> = { active: 0, deprecated: 0, expired: 0, revoked: 0 };
    for (const key of this.#state.keys.values()) counts[effectiveStatus(key, now)]++;
    return counts;
  }

  async countConsumers(): Promise<number> {
    return this.#state.consumers.size;
  }

  async countRotations(state: RotationState): Promise<number> {
    let count = 0;
    for (const rotation of this.#state.rotations.values()) if (rotation.state === state) count++;
    return count;
  }

  async listEvents(filter: EventFilter): Promise<OutboxEventInput[]> {
    const types = new Set(filter.types);
    const rows = this.#state.outbox
      .filter((row) => types.has(row.type))
      .map(({ id, type, at, data }) => ({ id, type, at, data }));
    return page(rows, (row) => row.id, filter);
  }

  async listConsumersWithPolicy(p: Page): Promise<Consumer[]> {
    return page(
      [...this.#state.consumers.values()].filter((c) => c.rotationPolicy !== null),
      (c) => c.id,
      p,
    );
  }

  async listActiveKeysPastSunset(now: number, limit: number): Promise<KeyRecord[]> {
    const rows = [...this.#state.keys.values()].filter(
      (k) => k.status === "active" && k.sunsetAt !== null && k.sunsetAt <= now,
    );
    return page(rows, (k) => k.id, { limit });
  }

  async loadCounters(now: number): Promise<CounterSnapshot[]> {
    return [...this.#counterSnapshots.values()].filter((snapshot) => snapshot.expiresAt > now);
  }

  async saveCounters(snapshots: readonly CounterSnapshot[], now: number): Promise<void> {
    for (const snapshot of snapshots) this.#counterSnapshots.set(snapshot.key, { ...snapshot });
    for (const [key, snapshot] of this.#counterSnapshots) {
      if (snapshot.expiresAt <= now) this.#counterSnapshots.delete(key);
    }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  /** Test hook: outbox rows in commit order. */
  outboxForTests(): readonly OutboxRow[] {
    return this.#state.outbox;
  }
}
