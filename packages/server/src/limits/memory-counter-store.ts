import {
  type Clock,
  type CounterAdd,
  type CounterDraw,
  type CounterRelease,
  type CounterSnapshot,
  type CounterStore,
  leaseGrant,
  type TakeResult,
} from "@keygate/core";

interface Entry {
  used: number;
  expiresAt: number;
}

/**
 * Counters in this process: the store of a single node, and the fallback of
 * a cluster node while Redis is unreachable. Every method completes
 * synchronously before its promise settles, so a take is atomic by
 * construction (one event-loop turn).
 */
export class MemoryCounterStore implements CounterStore {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  /** Keys changed since the last `drainChanged()`. */
  readonly #changed = new Set<string>();

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  async take(draws: readonly CounterDraw[]): Promise<TakeResult> {
    return this.takeNow(draws);
  }

  /** `take`, answered synchronously. */
  takeNow(draws: readonly CounterDraw[]): TakeResult {
    const used = draws.map((draw) => this.#used(draw.key));
    for (let i = 0; i < draws.length; i++) {
      const draw = draws[i];
      const current = used[i] ?? 0;
      if (draw !== undefined && current + draw.min > draw.limit) return { type: "refused", index: i, used };
    }
    const grants = draws.map((draw, i) => {
      const before = used[i] ?? 0;
      const granted = leaseGrant(draw.limit - before, draw);
      if (granted > 0) this.#set(draw.key, before + granted, draw.expiresAt);
      return { granted, used: before + granted };
    });
    return { type: "granted", grants };
  }

  async release(releases: readonly CounterRelease[]): Promise<void> {
    for (const { key, units } of releases) {
      const entry = this.#live(key);
      if (entry === undefined || units <= 0) continue;
      entry.used = Math.max(0, entry.used - units);
      this.#changed.add(key);
    }
  }

  async add(adds: readonly CounterAdd[]): Promise<void> {
    for (const { key, units, expiresAt } of adds) this.#set(key, this.#used(key) + units, expiresAt);
  }

  async read(keys: readonly string[]): Promise<number[]> {
    return keys.map((key) => this.#used(key));
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  /** Every live counter (for snapshots and for re-syncing to a shared store). */
  entries(): CounterSnapshot[] {
    const now = this.#clock.now();
    const out: CounterSnapshot[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) out.push({ key, used: entry.used, expiresAt: entry.expiresAt });
      else this.#entries.delete(key);
    }
    return out;
  }

  /** Live counters changed since the previous call, and forgets that they changed. */
  drainChanged(): CounterSnapshot[] {
    const now = this.#clock.now();
    const out: CounterSnapshot[] = [];
    for (const key of this.#changed) {
      const entry = this.#entries.get(key);
      if (entry !== undefined && entry.expiresAt > now)
        out.push({ key, used: entry.used, expiresAt: entry.expiresAt });
    }
    this.#changed.clear();
    return out;
  }

  /** Marks keys changed again (a snapshot write that failed is retried). */
  markChanged(keys: Iterable<string>): void {
    for (const key of keys) this.#changed.add(key);
  }

  /** Loads snapshots (at start). */
  restore(snapshots: readonly CounterSnapshot[]): void {
    for (const s of snapshots) this.#entries.set(s.key, { used: s.used, expiresAt: s.expiresAt });
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #used(key: string): number {
    return this.#live(key)?.used ?? 0;
  }

  #set(key: string, used: number, expiresAt: number): void {
    const entry = this.#live(key);
    if (entry === undefined) this.#entries.set(key, { used, expiresAt });
    else {
      entry.used = used;
      entry.expiresAt = expiresAt;
    }
    this.#changed.add(key);
  }
}
