import type { VerifyCode } from "../verify/verify-outcome.ts";

/** Column order of every counts array. Append only: persisted buckets depend on it. */
export const OUTCOME_CODES: readonly VerifyCode[] = Object.freeze([
  "VALID",
  "KEY_MISSING",
  "KEY_MALFORMED",
  "KEY_NOT_FOUND",
  "KEY_EXPIRED",
  "KEY_REVOKED",
  "CONSUMER_DISABLED",
  "SCOPE_DENIED",
  "RATE_LIMITED",
  "QUOTA_EXCEEDED",
  "STORE_UNAVAILABLE",
]);

const MINUTE_MS = 60_000;

/** Requests of one key (or of no key: `keyId` "") in one minute, by outcome. */
export interface UsageBucket {
  readonly keyId: string;
  /** Start of the minute, ms since the epoch. */
  readonly minute: number;
  /** Indexed like `OUTCOME_CODES`. */
  readonly counts: Uint32Array;
}

/** The finished minute handed back when a counter rolls over. */
export interface ClosedMinute {
  readonly minute: number;
  readonly counts: Uint32Array;
}

/** Counts by outcome for the current minute: one small typed array, swapped out when the minute turns. */
export class MinuteCounters {
  #minute = -1;
  #counts = new Uint32Array(OUTCOME_CODES.length);
  #total = 0;

  /** Epoch minute of the open bucket, -1 before the first count. */
  get minute(): number {
    return this.#minute;
  }

  /**
   * Counts one outcome (an index into `OUTCOME_CODES`) at `now`. Returns the
   * previous minute's counts when this call opened a new minute, else null.
   * A `now` older than the open minute counts in the open minute.
   */
  add(now: number, outcome: number): ClosedMinute | null {
    const minute = Math.floor(now / MINUTE_MS);
    let closed: ClosedMinute | null = null;
    if (minute > this.#minute) {
      closed = this.takeOpen();
      this.#minute = minute;
    }
    if (outcome >= 0 && outcome < this.#counts.length) {
      this.#counts[outcome] = (this.#counts[outcome] ?? 0) + 1;
      this.#total++;
    }
    return closed;
  }

  /** Hands over the open minute's counts (null if empty) and starts it afresh. */
  takeOpen(): ClosedMinute | null {
    if (this.#total === 0) return null;
    const closed = { minute: this.#minute * MINUTE_MS, counts: this.#counts };
    this.#counts = new Uint32Array(OUTCOME_CODES.length);
    this.#total = 0;
    return closed;
  }
}

/** A bucket's counts by code name, zeros omitted. */
export function bucketCounts(bucket: UsageBucket): Partial<Record<VerifyCode, number>> {
  const out: Partial<Record<VerifyCode, number>> = {};
  OUTCOME_CODES.forEach((code, i) => {
    const count = bucket.counts[i] ?? 0;
    if (count > 0) out[code] = count;
  });
  return out;
}
