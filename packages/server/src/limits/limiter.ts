import {
  type Clock,
  type CounterDraw,
  type CounterStore,
  denyVerdict,
  type LimitVerdict,
  PartialCounterAddError,
  type Plan,
  planPolicies,
  type Quota,
  type TakeResult,
} from "@keygate/core";
import type { GatewayLimiter, LimitDecision } from "../gateway/gateway-limiter.ts";
import type { VerifyOutcome } from "../verify/verify-outcome.ts";
import { ConsumerLeases, type Slot } from "./consumer-leases.ts";
import { toLimitDecision } from "./limit-answers.ts";
import { type LimiterCounts, limiterMetricsText } from "./limiter-metrics.ts";
import type { LimiterLogger, LimiterOptions } from "./limiter-options.ts";
import { MemoryCounterStore } from "./memory-counter-store.ts";
import { PlanCache } from "./plan-cache.ts";

/**
 * Far from the limit, a lease below half its size is topped up in the
 * background: at a few thousand requests per second that leaves a Redis
 * round trip (even a slow one) ample time before requests would wait.
 */
function isLow(slot: Slot): boolean {
  return slot.lastGrant >= TOP_UP_FROM && slot.units * 2 < slot.lastGrant;
}

/** Where a consumer stands (`GET /v1/consumers/{id}/usage`). */
export interface ConsumerUsage {
  readonly plan: Plan | undefined;
  readonly rate: { readonly limit: number; readonly remaining: number; readonly resetAt: number } | null;
  readonly quota: {
    readonly limit: number;
    readonly used: number;
    readonly period: Quota["period"];
    readonly resetAt: number;
  } | null;
}

const UNLIMITED: LimitVerdict = Object.freeze({ type: "unlimited" });
/** A consumer unseen this long, holding nothing, is forgotten. */
const FORGET_AFTER_MS = 10 * 60_000;
/** Far from the limit (leases at least this large) a lease is topped up before it runs out. */
const TOP_UP_FROM = 8;
const NODE_COUNT_POLL_MS = 5_000;
/**
 * Shared leases are sized as if at least this many nodes drew from a
 * counter. Leases sized for fewer nodes than actually serve a consumer are
 * too large near the limit: units left on one node while another is refused.
 */
const MIN_SHARING_NODES = 4;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Rate limits and quotas per consumer, shared by the gateway and
 * `POST /v1/verify`.
 *
 * Counters live in a `CounterStore`; this node leases units from them (one
 * atomic take per lease, sized by `leaseGrant`: large far from the limit,
 * the request's cost near it) and spends them locally, so most decisions are
 * synchronous and the store sees one round trip per lease, not per request.
 * Every allowed unit was granted by the store, so all nodes together never
 * allow more than the limit; units a node does not use go back (idle for
 * `idleReleaseMs`, or when the consumer is refused), so together they reach
 * it. A lease belongs to its window's counter: when the window rolls over
 * the leftover is void.
 *
 * With a shared store (Redis), an outage switches the node to local
 * counters (`keygate_limits_degraded 1`, one warning line), each node
 * allowing `ceil(remaining / liveNodes)` of every limit; when the store
 * answers again, what was spent locally is added to the shared counters and
 * the node goes back to them. No request fails because of the store.
 */
export class Limiter implements GatewayLimiter {
  readonly #counters: CounterStore;
  readonly #shared: LimiterOptions["shared"];
  readonly #clock: Clock;
  readonly #logger: LimiterLogger;
  readonly #plans: PlanCache;
  readonly #idleReleaseMs: number;
  readonly #maxLease: number;
  readonly #leaseShare: number;
  readonly #probeIntervalMs: number;
  readonly #planRefreshMs: number;
  readonly #refusalTtlMs: number;
  readonly #onQuotaUsage: LimiterOptions["onQuotaUsage"];
  readonly #states = new Map<string, ConsumerLeases>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #counts: LimiterCounts = { takes: 0, allowed: 0, rateLimited: 0, quotaExceeded: 0, outages: 0 };
  /** Local counters while the shared store is unreachable, and the shared values known when it went away. */
  #fallback: MemoryCounterStore | undefined;
  #base = new Map<string, number>();
  /** Units of the local counters already added to the shared store by a re-sync that failed part-way. */
  #synced = new Map<string, number>();
  #restoring: Promise<void> | undefined;
  #probing = false;
  #nodeCount = 1;
  #closed = false;

  constructor(options: LimiterOptions) {
    this.#counters = options.counters;
    this.#shared = options.shared;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#plans = new PlanCache(options.plans, options.logger);
    this.#idleReleaseMs = options.idleReleaseMs ?? 1000;
    this.#maxLease = options.maxLease ?? 1000;
    this.#leaseShare = options.leaseShare ?? 4;
    this.#probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.#planRefreshMs = options.planRefreshMs ?? 5000;
    this.#refusalTtlMs = options.refusalTtlMs ?? 250;
    this.#onQuotaUsage = options.onQuotaUsage;
  }

  /** Reads the plans and starts the timers (idle release, plan refresh, outage probe). */
  async start(): Promise<void> {
    await this.#plans.refresh();
    await this.#pollNodeCount();
    const every = (ms: number, run: () => void) => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(Math.max(20, Math.floor(this.#idleReleaseMs / 2)), () => {
      this.releaseIdle().catch(() => undefined);
    });
    every(this.#planRefreshMs, () => {
      this.#plans.refresh().catch(() => undefined);
    });
    if (this.#shared !== undefined) {
      every(this.#probeIntervalMs, () => {
        this.probe().catch(() => undefined);
      });
      every(NODE_COUNT_POLL_MS, () => {
        this.#pollNodeCount().catch(() => undefined);
      });
    }
  }

  /** A plan changed (a change with `all: true`): decide with fresh plans from now on. */
  plansChanged(): void {
    this.#plans.invalidate();
  }

  /** True while the shared store is unreachable and local counters are in force. */
  get degraded(): boolean {
    return this.#fallback !== undefined;
  }

  check(outcome: VerifyOutcome, cost: number, now: number): LimitDecision | Promise<LimitDecision> {
    const verdict = this.decide(outcome.consumerId, outcome.plan, cost, now);
    return verdict instanceof Promise
      ? verdict.then((v) => toLimitDecision(v, now))
      : toLimitDecision(verdict, now);
  }

  /**
   * Charges `cost` units to the consumer under every limit of its plan, or
   * refuses (charging nothing). Synchronous while this node's leases cover
   * the cost. A consumer without a plan, or whose plan has no limits, is
   * `unlimited`. Cost 0 charges nothing and reports where the consumer stands.
   */
  decide(
    consumerId: string | undefined,
    planName: string | null | undefined,
    cost: number,
    now: number,
  ): LimitVerdict | Promise<LimitVerdict> {
    if (consumerId === undefined || planName === null || planName === undefined) return UNLIMITED;
    // Closed (the node is shutting down, its counters are gone): what is still in flight goes through.
    if (this.#closed) return UNLIMITED;
    // No closure on the synchronous path: allocating one per request shows in profiles.
    if (this.#restoring !== undefined)
      return this.#decideAfter(this.#restoring, consumerId, planName, cost, now);
    if (this.#plans.stale) return this.#decideAfter(this.#plans.refresh(), consumerId, planName, cost, now);
    const plan = this.#plans.get(planName);
    if (plan === undefined || (plan.rateLimit === null && plan.quota === null)) return UNLIMITED;
    const state = this.#leasesOf(consumerId, plan, now);
    if (cost <= 0) return { type: "allow", states: state.states() };
    let covered = true;
    for (const slot of state.slots) if (slot.units < cost) covered = false;
    if (covered) {
      for (const slot of state.slots) {
        slot.units -= cost;
        slot.touchedAt = now;
      }
      this.#counts.allowed++;
      this.#topUp(state, now);
      return { type: "allow", states: state.states() };
    }
    const lacking = state.slots.filter((slot) => slot.units < cost);
    for (const slot of lacking) {
      const fresh = now - slot.refusedAt < this.#refusalTtlMs;
      if (fresh && slot.units + slot.availableAtRefusal < cost) return this.#deny(state, slot, now);
    }
    if (state.pending !== undefined) return this.#decideAfter(state.pending, consumerId, planName, cost, now);
    const need = lacking.map((slot) => cost - slot.units);
    const pending = this.#take(lacking, need, now).finally(() => {
      state.pending = undefined;
    });
    state.pending = pending;
    return this.#decideAfter(pending, consumerId, planName, cost, now);
  }

  /** `decide` again once `event` settles (a take, a plan read, a re-sync). */
  async #decideAfter(
    event: Promise<void>,
    consumerId: string,
    planName: string,
    cost: number,
    now: number,
  ): Promise<LimitVerdict> {
    await event;
    return this.decide(consumerId, planName, cost, now);
  }

  /** The consumer's plan and where it stands, as this node sees the counters. */
  async usage(consumerId: string, planName: string | null, now: number): Promise<ConsumerUsage> {
    if (planName === null) return { plan: undefined, rate: null, quota: null };
    if (this.#restoring !== undefined) await this.#restoring;
    if (this.#plans.stale) await this.#plans.refresh();
    const plan = this.#plans.get(planName);
    if (plan === undefined) return { plan: undefined, rate: null, quota: null };
    const policies = planPolicies(plan, consumerId, now);
    const keys = policies.map((policy) => policy.key);
    let store = this.#active();
    let values: number[];
    try {
      values = await store.read(keys);
    } catch (error) {
      if (store !== this.#counters || this.#shared === undefined) throw error;
      this.#degrade(error);
      store = this.#active();
      values = await store.read(keys);
    }
    const slots = this.#states.get(consumerId)?.slots ?? [];
    let rate: ConsumerUsage["rate"] = null;
    let quota: ConsumerUsage["quota"] = null;
    policies.forEach((policy, i) => {
      const held = slots.find((s) => s.policy.key === policy.key && s.source === store)?.units ?? 0;
      const base = store === this.#fallback ? (this.#base.get(policy.key) ?? 0) : 0;
      const used = Math.max(0, (values[i] ?? 0) + base - held);
      if (policy.kind === "rate") {
        rate = {
          limit: policy.limit,
          remaining: Math.max(0, policy.limit - used),
          resetAt: policy.bounds.end,
        };
      } else if (plan.quota !== null) {
        quota = { limit: policy.limit, used, period: plan.quota.period, resetAt: policy.bounds.end };
      }
    });
    return { plan, rate, quota };
  }

  /** Prometheus text for `/metrics`: the degraded gauge and the decision counters. */
  metricsText(): string {
    return limiterMetricsText(this.#counts, this.degraded);
  }

  /** Stops the timers, hands every unspent unit back, closes the counter store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.allSettled([...this.#states.values()].map((state) => state.pending));
    if (this.#restoring !== undefined) await this.#restoring;
    const all: Slot[] = [];
    for (const state of this.#states.values()) all.push(...state.slots);
    await this.#release(all).catch(() => undefined);
    if (this.#fallback !== undefined) {
      this.#logger.warn(
        {},
        "limits: closing while degraded; units spent on local counters are not re-synced",
      );
    }
    await this.#counters.close();
  }

  #active(): CounterStore {
    return this.#fallback ?? this.#counters;
  }

  #leasesOf(consumerId: string, plan: Plan, now: number): ConsumerLeases {
    let state = this.#states.get(consumerId);
    if (state === undefined) {
      state = new ConsumerLeases(consumerId, now);
      this.#states.set(consumerId, state);
    }
    const dropped = state.align(plan, now);
    if (dropped.length > 0) this.#releaseInBackground(dropped.filter((slot) => slot.policy.bounds.end > now));
    state.lastActive = now;
    return state;
  }

  /** The limit a draw enforces: the plan's, or this node's share of what was left while degraded. */
  #limitOf(slot: Slot): number {
    const { limit, key } = slot.policy;
    if (this.#fallback === undefined) return limit;
    return Math.ceil(Math.max(0, limit - (this.#base.get(key) ?? 0)) / this.#nodeCount);
  }

  /** One atomic take for the slots that need units; `need[i]` is the minimum for `slots[i]`. */
  async #take(slots: readonly Slot[], need: readonly number[], now: number): Promise<void> {
    const store = this.#active();
    // Sized for at least MIN_SHARING_NODES: a node count read while the cluster starts can be low.
    const sharing = Math.max(this.#nodeCount, MIN_SHARING_NODES);
    const share = this.#leaseShare * (store === this.#counters && this.#shared !== undefined ? sharing : 1);
    const draws: CounterDraw[] = slots.map((slot, i) => {
      const min = Math.max(1, need[i] ?? 1);
      return {
        key: slot.policy.key,
        limit: this.#limitOf(slot),
        min,
        max: Math.max(this.#maxLease, min),
        share,
        expiresAt: slot.policy.expiresAt,
      };
    });
    this.#counts.takes++;
    let result: TakeResult;
    try {
      result = await store.take(draws);
    } catch (error) {
      if (store === this.#counters && this.#shared !== undefined) {
        this.#degrade(error);
        return;
      }
      throw error;
    }
    // The store was switched meanwhile: units granted by the other one stay counted there, unused.
    if (store !== this.#active()) return;
    if (result.type === "granted") {
      slots.forEach((slot, i) => {
        const grant = result.grants[i];
        if (grant === undefined) return;
        if (slot.source !== store) slot.units = 0;
        slot.source = store;
        slot.units += grant.granted;
        slot.sharedUsed = grant.used;
        slot.lastGrant = grant.granted;
        slot.refusedAt = Number.NEGATIVE_INFINITY;
        slot.touchedAt = now;
      });
      this.#reportQuotas(slots);
      return;
    }
    slots.forEach((slot, i) => {
      const used = result.used[i];
      if (used !== undefined) slot.sharedUsed = used;
    });
    this.#reportQuotas(slots);
    const refused = slots[result.index];
    const used = result.used[result.index];
    if (refused !== undefined && used !== undefined) {
      refused.refusedAt = now;
      refused.availableAtRefusal = Math.max(0, (draws[result.index]?.limit ?? 0) - used);
    }
  }

  /** Tells `onQuotaUsage` where each quota among `slots` stands now that the store answered for it. */
  #reportQuotas(slots: readonly Slot[]): void {
    const report = this.#onQuotaUsage;
    if (report === undefined) return;
    for (const slot of slots) {
      const { policy } = slot;
      if (policy.kind !== "quota") continue;
      // Counter keys start with the consumer id (`<consumerId>:q:<period>:<start>`).
      const consumerId = policy.key.slice(0, policy.key.indexOf(":"));
      try {
        report({
          consumerId,
          limit: policy.limit,
          used: Math.min(policy.limit, slot.sharedUsed),
          periodStart: policy.bounds.start,
          periodEnd: policy.bounds.end,
          policy: policy.name,
        });
      } catch (error) {
        this.#logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          "quota report failed",
        );
      }
    }
  }

  #deny(state: ConsumerLeases, slot: Slot, now: number): LimitVerdict {
    const verdict = denyVerdict(slot.policy, state.states(), now);
    if (verdict.type === "deny" && verdict.code === "QUOTA_EXCEEDED") this.#counts.quotaExceeded++;
    else this.#counts.rateLimited++;
    // Units this consumer holds here but cannot use now go back, so another node can use them:
    // all of them when the quota is spent, the short lease of the refusing limit otherwise.
    this.#releaseInBackground(slot.policy.kind === "quota" ? state.slots : [slot]);
    return verdict;
  }

  /** Far from the limit, a lease running low is topped up in the background, before requests wait for it. */
  #topUp(state: ConsumerLeases, now: number): void {
    if (state.pending !== undefined) return;
    let any = false;
    for (const slot of state.slots) if (isLow(slot)) any = true;
    if (!any) return;
    const low = state.slots.filter(isLow);
    // At least one more unit: the lease size itself comes from what is left (leaseGrant).
    const pending = this.#take(
      low,
      low.map(() => 1),
      now,
    )
      .catch((error: unknown) => this.#logger.error({ err: message(error) }, "limits: lease top-up failed"))
      .finally(() => {
        state.pending = undefined;
      });
    state.pending = pending;
  }

  /**
   * Hands back the units of leases untouched for `idleReleaseMs`, and forgets
   * long-idle consumers. Runs on a timer; callable directly (tests).
   */
  releaseIdle(): Promise<void> {
    const now = this.#clock.now();
    const idle: Slot[] = [];
    for (const [consumerId, state] of this.#states) {
      for (const slot of state.slots) {
        if (slot.units > 0 && now - slot.touchedAt >= this.#idleReleaseMs) idle.push(slot);
      }
      const forgotten = now - state.lastActive > FORGET_AFTER_MS && state.pending === undefined;
      if (forgotten && state.held() === 0) this.#states.delete(consumerId);
    }
    return this.#release(idle).catch((error: unknown) =>
      this.#logger.error({ err: message(error) }, "limits: release failed"),
    );
  }

  #releaseInBackground(slots: readonly Slot[]): void {
    this.#release(slots).catch((error: unknown) =>
      this.#logger.error({ err: message(error) }, "limits: release failed"),
    );
  }

  /** Hands the slots' unspent units back to the store that granted them (if it is still the one in use). */
  async #release(slots: readonly Slot[]): Promise<void> {
    const store = this.#active();
    const releases: Array<{ key: string; units: number }> = [];
    for (const slot of slots) {
      if (slot.units <= 0) continue;
      if (slot.source === store) {
        releases.push({ key: slot.policy.key, units: slot.units });
        slot.sharedUsed -= slot.units;
      }
      slot.units = 0;
    }
    if (releases.length === 0) return;
    try {
      await store.release(releases);
    } catch (error) {
      if (store === this.#counters && this.#shared !== undefined) this.#degrade(error);
      else throw error;
    }
  }

  async #pollNodeCount(): Promise<void> {
    if (this.#shared === undefined || this.#fallback !== undefined) return;
    this.#nodeCount = Math.max(1, await this.#shared.liveNodes());
  }

  /** The shared store failed: local counters from now on, until a probe finds it again. */
  #degrade(error: unknown): void {
    if (this.#fallback !== undefined || this.#closed) return;
    const base = new Map<string, number>();
    for (const state of this.#states.values()) {
      for (const slot of state.slots) {
        if (slot.source === this.#counters) base.set(slot.policy.key, slot.sharedUsed);
        slot.reset();
      }
    }
    this.#base = base;
    this.#synced = new Map();
    this.#fallback = new MemoryCounterStore({ clock: this.#clock });
    this.#counts.outages++;
    this.#logger.warn(
      { err: message(error), liveNodes: this.#nodeCount },
      "limits degraded: the shared counter store is unreachable; this node enforces its share of each limit on local counters until it is back",
    );
  }

  /**
   * While degraded: if the shared store answers, re-sync and use it again.
   * Runs on a timer; callable directly (tests).
   */
  probe(): Promise<void> {
    if (this.#fallback === undefined || this.#probing || this.#closed) return Promise.resolve();
    this.#probing = true;
    return this.#counters
      .ping()
      .then(() => this.#restore())
      .catch(() => undefined)
      .finally(() => {
        this.#probing = false;
      });
  }

  /**
   * The shared store answers again: add what was spent locally to the shared
   * counters (one atomic add; on Redis Cluster one per consumer, a failed part
   * retried alone), then use them again. Decisions wait meanwhile,
   * so no unit is spent in between. If the add fails, the node stays degraded.
   */
  #restore(): Promise<void> {
    const fallback = this.#fallback;
    if (fallback === undefined || this.#restoring !== undefined) return this.#restoring ?? Promise.resolve();
    const run = async () => {
      const held: Slot[] = [];
      for (const state of this.#states.values()) held.push(...state.slots);
      await this.#release(held);
      const synced = this.#synced;
      const spent = fallback
        .entries()
        .map((entry) => ({
          key: entry.key,
          units: entry.used - (synced.get(entry.key) ?? 0),
          expiresAt: entry.expiresAt,
        }))
        .filter((entry) => entry.units > 0);
      try {
        await this.#counters.add(spent);
      } catch (error) {
        // Part of it landed (Redis Cluster adds per slot): the next attempt must not add that part again.
        if (error instanceof PartialCounterAddError)
          for (const add of error.applied) synced.set(add.key, (synced.get(add.key) ?? 0) + add.units);
        throw error;
      }
      for (const state of this.#states.values()) for (const slot of state.slots) slot.reset();
      this.#fallback = undefined;
      this.#base = new Map();
      this.#synced = new Map();
      this.#logger.info(
        { counters: spent.length, units: spent.reduce((sum, entry) => sum + entry.units, 0) },
        "limits restored: the shared counter store is back; units spent locally were added to it",
      );
    };
    const restoring = run()
      .catch((error: unknown) =>
        this.#logger.warn({ err: message(error) }, "limits: re-sync failed; still on local counters"),
      )
      .finally(() => {
        this.#restoring = undefined;
      });
    this.#restoring = restoring;
    return restoring;
  }
}
