import type { Clock, LeaseStore } from "@keygate/core";

export interface AlertDedupeOptions {
  readonly leases: LeaseStore;
  /** This process's identity in leases (`jobHolderId`). */
  readonly holder: string;
  readonly clock: Clock;
}

/** Entries kept before expired ones are swept. */
const SWEEP_ABOVE = 10_000;

/**
 * "At most once per window", across every node. An alert's dedupe key names
 * a lease in the store (`alert:<key>`) taken for the window: the lease store
 * guarantees one winner among concurrent contenders, so two nodes seeing the
 * same thing report it once, and a restarted node (a new holder) does not
 * report again what it already did. A memory map in front keeps the store out
 * of the way for everything already decided on this node.
 */
export class AlertDedupe {
  readonly #options: AlertDedupeOptions;
  /** Dedupe key → until when this node knows it is taken (by itself or another node). */
  readonly #until = new Map<string, number>();

  constructor(options: AlertDedupeOptions) {
    this.#options = options;
  }

  /** True when this node may report `key` now; it then owns the window of `ttlMs`. */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    const { leases, holder, clock } = this.#options;
    const now = clock.now();
    const until = this.#until.get(key);
    if (until !== undefined && until > now) return false;
    this.#sweep(now);
    // Taken in memory before the store is asked, so a concurrent claim on this node loses at once
    // (the store would let the same holder "renew" its own lease).
    this.#until.set(key, now + ttlMs);
    const name = `alert:${key}`;
    let won: boolean;
    try {
      won = await leases.acquireLease(name, holder, ttlMs, now);
    } catch (error) {
      this.#until.delete(key);
      throw error;
    }
    if (won) return true;
    const lease = await leases.getLease(name);
    this.#until.set(key, lease?.expiresAt ?? now + Math.min(ttlMs, 60_000));
    return false;
  }

  /** Gives a claimed window back (the report could not be written), so the next attempt may report. */
  async release(key: string): Promise<void> {
    this.#until.delete(key);
    await this.#options.leases.releaseLease(`alert:${key}`, this.#options.holder);
  }

  #sweep(now: number): void {
    if (this.#until.size < SWEEP_ABOVE) return;
    for (const [key, until] of this.#until) if (until <= now) this.#until.delete(key);
  }
}
