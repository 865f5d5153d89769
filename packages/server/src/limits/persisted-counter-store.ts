import type {
  Clock,
  CounterAdd,
  CounterDraw,
  CounterRelease,
  CounterSnapshotStore,
  CounterStore,
  TakeResult,
} from "@keygate/core";
import type { LimiterLogger } from "./limiter-options.ts";
import { MemoryCounterStore } from "./memory-counter-store.ts";

export interface PersistedCounterStoreOptions {
  readonly snapshots: CounterSnapshotStore;
  readonly clock: Clock;
  readonly logger: LimiterLogger;
  /** How often changed counters are written. Default 1000 ms. */
  readonly flushIntervalMs?: number | undefined;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * The counters of a single node without Redis: in process, with every
 * changed counter (quota periods and the current rate windows) written to
 * the database about once a second and on close, and loaded at start. A
 * graceful restart loses nothing; a crash loses at most the last second.
 * Units leased but not spent count as used in a snapshot (the limiter hands
 * them back before the final flush), so a crash errs on the side of the limit.
 */
export class PersistedCounterStore implements CounterStore {
  readonly #memory: MemoryCounterStore;
  readonly #snapshots: CounterSnapshotStore;
  readonly #clock: Clock;
  readonly #logger: LimiterLogger;
  readonly #flushIntervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #failing = false;
  #prunedAt = Number.NEGATIVE_INFINITY;

  constructor(options: PersistedCounterStoreOptions) {
    this.#memory = new MemoryCounterStore({ clock: options.clock });
    this.#snapshots = options.snapshots;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#flushIntervalMs = options.flushIntervalMs ?? 1000;
  }

  /** Loads the snapshots and starts the flush timer. */
  async start(): Promise<void> {
    const loaded = await this.#snapshots.loadCounters(this.#clock.now());
    this.#memory.restore(loaded);
    this.#timer = setInterval(() => {
      this.flush().catch(() => undefined);
    }, this.#flushIntervalMs);
    this.#timer.unref();
  }

  take(draws: readonly CounterDraw[]): Promise<TakeResult> {
    return this.#memory.take(draws);
  }

  release(releases: readonly CounterRelease[]): Promise<void> {
    return this.#memory.release(releases);
  }

  add(adds: readonly CounterAdd[]): Promise<void> {
    return this.#memory.add(adds);
  }

  read(keys: readonly string[]): Promise<number[]> {
    return this.#memory.read(keys);
  }

  async ping(): Promise<void> {}

  /** Writes the counters changed since the last flush (one at a time; a failed write is retried next time). */
  flush(): Promise<void> {
    if (this.#flushing !== undefined) return this.#flushing;
    const changed = this.#memory.drainChanged();
    const now = this.#clock.now();
    // Nothing changed: no write transaction, except a prune of expired rows now and then.
    if (changed.length === 0 && now - this.#prunedAt < PRUNE_EVERY_MS) return Promise.resolve();
    const flushing = (async () => {
      try {
        await this.#snapshots.saveCounters(changed, now);
        this.#prunedAt = now;
        if (this.#failing) this.#logger.info({}, "limits: counter snapshots written again");
        this.#failing = false;
      } catch (error) {
        this.#memory.markChanged(changed.map((snapshot) => snapshot.key));
        if (!this.#failing) {
          this.#logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            "limits: counter snapshots could not be written; retrying every flush",
          );
        }
        this.#failing = true;
      } finally {
        this.#flushing = undefined;
      }
    })();
    this.#flushing = flushing;
    return flushing;
  }

  /** Stops the timer and writes what changed. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#flushing !== undefined) await this.#flushing;
    await this.flush();
  }
}
