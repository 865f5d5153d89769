import {
  type CounterStore,
  type LimitPolicy,
  type Plan,
  type PolicyState,
  planPolicies,
  policiesValidUntil,
  remainingOf,
} from "@keygate/core";

/** This node's view of one counter: the lease it holds and what the store said last. */
export class Slot {
  policy: LimitPolicy;
  /** Leased units not yet spent. They count as used in the store. */
  units = 0;
  /** The counter's value at the last answer from the store (every node's units included). */
  sharedUsed = 0;
  /** Size of the last lease: far from the limit it is large, and the lease is topped up early. */
  lastGrant = 0;
  /** The store the units came from; units are only ever handed back to it. */
  source: CounterStore | undefined;
  /** When the store last refused, and how many units it had left then. */
  refusedAt = Number.NEGATIVE_INFINITY;
  availableAtRefusal = 0;
  touchedAt: number;

  constructor(policy: LimitPolicy, now: number) {
    this.policy = policy;
    this.touchedAt = now;
  }

  state(): PolicyState {
    return { policy: this.policy, remaining: remainingOf(this.policy.limit, this.sharedUsed, this.units) };
  }

  /** Forgets the lease (a switch of store): the units stay counted where they came from. */
  reset(): void {
    this.units = 0;
    this.sharedUsed = 0;
    this.lastGrant = 0;
    this.source = undefined;
    this.refusedAt = Number.NEGATIVE_INFINITY;
  }
}

/** Everything this node holds for one consumer. */
export class ConsumerLeases {
  readonly consumerId: string;
  plan: Plan | undefined;
  slots: Slot[] = [];
  /** The slots are valid until the first of their windows ends. */
  validUntil = Number.NEGATIVE_INFINITY;
  /** The take in flight for this consumer; others wait for it instead of sending their own. */
  pending: Promise<void> | undefined;
  lastActive: number;

  constructor(consumerId: string, now: number) {
    this.consumerId = consumerId;
    this.lastActive = now;
  }

  /**
   * Makes the slots match `plan` at `now`. A slot whose counter key is still
   * current keeps its lease (a limit change keeps the counter); the others
   * are returned, with their unspent units, for the caller to release.
   */
  align(plan: Plan, now: number): Slot[] {
    if (plan === this.plan && now < this.validUntil) return [];
    const policies = planPolicies(plan, this.consumerId, now);
    const previous = this.slots;
    this.slots = policies.map((policy) => {
      const kept = previous.find((slot) => slot.policy.key === policy.key);
      if (kept === undefined) return new Slot(policy, now);
      // A refusal under another limit says nothing about this one.
      if (kept.policy.limit !== policy.limit) kept.refusedAt = Number.NEGATIVE_INFINITY;
      kept.policy = policy;
      return kept;
    });
    this.plan = plan;
    this.validUntil = policiesValidUntil(policies);
    return previous.filter((slot) => !this.slots.includes(slot));
  }

  states(): PolicyState[] {
    return this.slots.map((slot) => slot.state());
  }

  held(): number {
    let units = 0;
    for (const slot of this.slots) units += slot.units;
    return units;
  }
}
