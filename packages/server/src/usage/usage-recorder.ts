import type { KeyStore, KeyUsageTouch, UsageCount, UsageStore } from "@keygate/core";
import type { VerifyCode } from "../verify/verify-outcome.ts";
import { type ClosedMinute, MinuteCounters, OUTCOME_CODES, type UsageBucket } from "./minute-counters.ts";

/** The slice of a pino logger the recorder writes to. */
export interface UsageLogger {
  warn(obj: object, msg?: string): void;
}

export interface UsageRecorderOptions {
  readonly store: Pick<KeyStore, "recordKeyUsage">;
  /**
   * Where per-minute counts are persisted. Each flush adds the counts made
   * since the previous one (the open minute's included), so a crash loses at
   * most one flush interval and `close()` loses nothing. Without it, counts
   * stay in memory for `drainBuckets()`.
   */
  readonly usageStore?: Pick<UsageStore, "addUsage"> | undefined;
  readonly logger?: UsageLogger | undefined;
  /** How often `lastUsedAt` is written. Default 1000 ms. */
  readonly flushIntervalMs?: number | undefined;
  /** Closed per-minute buckets kept until drained; the oldest are dropped past it. Default 100,000. */
  readonly maxPendingBuckets?: number | undefined;
}

/**
 * Outcomes that mean the key itself authenticated, so its `lastUsedAt`
 * moves: retiring a rotated key by idleness must see these requests.
 * Expired, revoked and unknown keys did not "use" anything.
 */
const TOUCHING: ReadonlySet<VerifyCode> = new Set<VerifyCode>([
  "VALID",
  "SCOPE_DENIED",
  "CONSUMER_DISABLED",
  "RATE_LIMITED",
  "QUOTA_EXCEEDED",
]);

const SWEEP_INTERVAL_MS = 60_000;

/** Per-key state: kept in one object so `record` does one map lookup. */
class KeyUsage {
  readonly keyId: string;
  lastUsedAt = 0;
  dirty = false;
  /** Has counts in its open minute that no drain has taken yet. */
  counted = false;
  readonly counters: MinuteCounters;

  constructor(keyId: string) {
    this.keyId = keyId;
    this.counters = new MinuteCounters();
  }
}

/**
 * Collects usage off the hot path. `record` is a map lookup and a few
 * integer writes; a 1 s timer (unref'd: it never keeps the process alive)
 * writes the newest `lastUsedAt` of each key touched since the last flush
 * in one `recordKeyUsage` batch. Per-key per-minute counts by outcome are
 * kept in fixed-size typed arrays and closed into `UsageBucket`s when the
 * minute turns; with a `usageStore`, each flush adds them (the open minute's
 * too) to the store, else they wait for `drainBuckets()`.
 */
export class UsageRecorder {
  readonly #store: Pick<KeyStore, "recordKeyUsage">;
  readonly #usageStore: Pick<UsageStore, "addUsage"> | undefined;
  readonly #logger: UsageLogger | undefined;
  readonly #maxPending: number;
  readonly #keys = new Map<string, KeyUsage>();
  /** Requests that named no known key, by outcome and minute (for failure-spike alerts). */
  readonly #anonymous = new MinuteCounters();
  #dirty: KeyUsage[] = [];
  /** Keys counted since the last drain: a drain visits these, not every tracked key. */
  #counted: KeyUsage[] = [];
  #flushFailures = 0;
  #pending: UsageBucket[] = [];
  #dropped = 0;
  #flushing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Latest `now` seen: the recorder's notion of time for sweeping idle keys. */
  #latest = 0;
  #lastSweep = 0;

  constructor(options: UsageRecorderOptions) {
    this.#store = options.store;
    this.#usageStore = options.usageStore;
    this.#logger = options.logger;
    this.#maxPending = options.maxPendingBuckets ?? 100_000;
    this.#timer = setInterval(() => {
      this.flush().catch(() => {});
    }, options.flushIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Counts one request. `keyId` is undefined when no key was identified. */
  record(keyId: string | undefined, now: number, code: VerifyCode): void {
    const outcome = OUTCOME_CODES.indexOf(code);
    if (now > this.#latest) this.#latest = now;
    if (keyId === undefined) {
      this.#close(this.#anonymous.add(now, outcome), "");
      return;
    }
    let usage = this.#keys.get(keyId);
    if (usage === undefined) {
      usage = new KeyUsage(keyId);
      this.#keys.set(keyId, usage);
    }
    this.#close(usage.counters.add(now, outcome), keyId);
    if (!usage.counted) {
      usage.counted = true;
      this.#counted.push(usage);
    }
    if (TOUCHING.has(code) && now > usage.lastUsedAt) {
      usage.lastUsedAt = now;
      if (!usage.dirty) {
        usage.dirty = true;
        this.#dirty.push(usage);
      }
    }
  }

  /** Writes pending `lastUsedAt` values and counts. Failed writes are retried on the next flush. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  /**
   * Closed minute buckets (and, with `includeOpen`, the current ones), oldest
   * first; they are handed over once.
   */
  drainBuckets(includeOpen = false): UsageBucket[] {
    const drained = this.#pending;
    this.#pending = [];
    if (includeOpen) {
      const counted = this.#counted;
      this.#counted = [];
      for (const usage of counted) {
        usage.counted = false;
        const open = usage.counters.takeOpen();
        if (open !== null) drained.push({ keyId: usage.keyId, ...open });
      }
      const anonymous = this.#anonymous.takeOpen();
      if (anonymous !== null) drained.push({ keyId: "", ...anonymous });
    }
    return drained;
  }

  stats(): { trackedKeys: number; pendingBuckets: number; droppedBuckets: number; flushFailures: number } {
    return {
      trackedKeys: this.#keys.size,
      pendingBuckets: this.#pending.length,
      droppedBuckets: this.#dropped,
      flushFailures: this.#flushFailures,
    };
  }

  /** Stops the timer and makes the final flush. */
  async close(): Promise<void> {
    if (this.#closed) return this.#flushing;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  #close(closed: ClosedMinute | null, keyId: string): void {
    if (closed === null) return;
    this.#pending.push({ keyId, minute: closed.minute, counts: closed.counts });
    this.#bound();
  }

  #bound(): void {
    if (this.#pending.length > this.#maxPending) {
      // Drop a tenth at once so a full queue costs one splice per many closes, not one each.
      const drop = Math.ceil(this.#maxPending / 10);
      this.#pending.splice(0, drop);
      this.#dropped += drop;
    }
  }

  /** Forgets keys idle for two minutes, closing their counts first, so memory follows the active keys. */
  #sweep(): void {
    if (this.#latest - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = this.#latest;
    const idleBefore = Math.floor(this.#latest / 60_000) - 2;
    let forgotten = 0;
    for (const [keyId, usage] of this.#keys) {
      if (usage.dirty || usage.counters.minute > idleBefore) continue;
      this.#close(usage.counters.takeOpen(), keyId);
      this.#keys.delete(keyId);
      forgotten++;
    }
    // Forgotten keys leave the drain list too, so it stays bounded when nobody drains (no usage store).
    if (forgotten > 0) this.#counted = this.#counted.filter((usage) => this.#keys.get(usage.keyId) === usage);
  }

  async #flushOnce(): Promise<void> {
    this.#sweep();
    await this.#writeTouches();
    if (this.#usageStore !== undefined) await this.#writeCounts(this.#usageStore);
  }

  /** Adds every count not yet written; on failure the buckets go back to the queue for the next flush. */
  async #writeCounts(usageStore: Pick<UsageStore, "addUsage">): Promise<void> {
    const buckets = this.drainBuckets(true);
    if (buckets.length === 0) return;
    const counts: UsageCount[] = [];
    for (const bucket of buckets) {
      bucket.counts.forEach((count, i) => {
        const code = OUTCOME_CODES[i];
        if (count > 0 && code !== undefined)
          counts.push({ keyId: bucket.keyId, minute: bucket.minute, code, count });
      });
    }
    try {
      await usageStore.addUsage(counts);
    } catch (error) {
      this.#flushFailures++;
      this.#logger?.warn(
        { err: error instanceof Error ? error.message : String(error), buckets: buckets.length },
        "usage counts not written; will retry",
      );
      this.#pending = buckets.concat(this.#pending);
      this.#bound();
    }
  }

  async #writeTouches(): Promise<void> {
    if (this.#dirty.length === 0) return;
    const batch = this.#dirty;
    this.#dirty = [];
    const touches: KeyUsageTouch[] = batch.map((usage) => {
      usage.dirty = false;
      return { keyId: usage.keyId, lastUsedAt: usage.lastUsedAt };
    });
    try {
      await this.#store.recordKeyUsage(touches);
    } catch (error) {
      this.#flushFailures++;
      this.#logger?.warn(
        { err: error instanceof Error ? error.message : String(error), keys: touches.length },
        "usage flush failed; will retry",
      );
      for (const usage of batch) {
        if (!usage.dirty) {
          usage.dirty = true;
          this.#dirty.push(usage);
        }
      }
    }
  }
}
