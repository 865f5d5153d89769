import type { KeyStore, KeyUsageTouch } from "@keygate/core";
import type { VerifyCode } from "../verify/verify-outcome.ts";
import { type ClosedMinute, MinuteCounters, OUTCOME_CODES, type UsageBucket } from "./minute-counters.ts";

/** The slice of a pino logger the recorder writes to. */
export interface UsageLogger {
  warn(obj: object, msg?: string): void;
}

export interface UsageRecorderOptions {
  readonly store: Pick<KeyStore, "recordKeyUsage">;
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
 * minute turns, for a later writer to `drainBuckets()`.
 */
export class UsageRecorder {
  readonly #store: Pick<KeyStore, "recordKeyUsage">;
  readonly #logger: UsageLogger | undefined;
  readonly #maxPending: number;
  readonly #keys = new Map<string, KeyUsage>();
  /** Requests that named no known key, by outcome and minute (for failure-spike alerts). */
  readonly #anonymous = new MinuteCounters();
  #dirty: KeyUsage[] = [];
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
    if (TOUCHING.has(code) && now > usage.lastUsedAt) {
      usage.lastUsedAt = now;
      if (!usage.dirty) {
        usage.dirty = true;
        this.#dirty.push(usage);
      }
    }
  }

  /** Writes pending `lastUsedAt` values. Failed writes are retried on the next flush. */
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
      for (const usage of this.#keys.values()) {
        const open = usage.counters.takeOpen();
        if (open !== null) drained.push({ keyId: usage.keyId, ...open });
      }
      const anonymous = this.#anonymous.takeOpen();
      if (anonymous !== null) drained.push({ keyId: "", ...anonymous });
    }
    return drained;
  }

  stats(): { trackedKeys: number; pendingBuckets: number; droppedBuckets: number } {
    return {
      trackedKeys: this.#keys.size,
      pendingBuckets: this.#pending.length,
      droppedBuckets: this.#dropped,
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
    for (const [keyId, usage] of this.#keys) {
      if (usage.dirty || usage.counters.minute > idleBefore) continue;
      this.#close(usage.counters.takeOpen(), keyId);
      this.#keys.delete(keyId);
    }
  }

  async #flushOnce(): Promise<void> {
    this.#sweep();
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
