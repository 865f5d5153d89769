import { keyHint } from "@keygate/core";
import ipaddr from "ipaddr.js";
import type { ClientFailureGuard } from "../gateway/proxy-handler.ts";
import type { VerifyCode } from "../verify/verify-outcome.ts";

const MINUTE_MS = 60_000;

export interface AuthFailureGuardOptions {
  /**
   * Failures in one minute from one client IP, or with one key hint, above
   * which an `auth.failure_spike` is reported. 0 turns spike detection off.
   */
  readonly spikePerMinute: number;
  /**
   * Guessing failures (missing, malformed or unknown keys) in one minute
   * from one client IP above which its further requests that minute are
   * answered `429 RATE_LIMITED` before any lookup. Expired and revoked keys
   * do not count: they are real keys, and a client that lags behind a
   * rotation or a rollback must not be locked out with its valid key.
   * 0 turns throttling off.
   */
  readonly throttlePerMinute: number;
  /** Most client IPs (and, apart, key hints) counted per minute; the oldest is forgotten past it. Default 10,000. */
  readonly maxTracked?: number | undefined;
}

/** A client IP or key hint that crossed the spike threshold. */
export interface FailureSpike {
  readonly dimension: "clientIp" | "keyHint";
  readonly subject: string;
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  /** Failures counted that minute so far. */
  readonly failures: number;
}

/** Failures that presented a well-formed key: those have a hint worth grouping by. */
const HINTED: ReadonlySet<VerifyCode> = new Set<VerifyCode>(["KEY_NOT_FOUND", "KEY_EXPIRED", "KEY_REVOKED"]);

/** Failures that look like guessing or scanning: the only ones that throttle a client IP. */
const GUESSES: ReadonlySet<VerifyCode> = new Set<VerifyCode>([
  "KEY_MISSING",
  "KEY_MALFORMED",
  "KEY_NOT_FOUND",
]);

/**
 * The subject a client address is counted under: an IPv4 address itself, an
 * IPv6 address by its /64 (`2001:db8:1:2::/64`), since one host or home
 * usually holds a whole /64 and would otherwise get 2^64 fresh budgets.
 * Addresses come from `clientAddress` (normalised, IPv4-mapped → IPv4).
 */
export function clientSubject(clientIp: string): string {
  if (clientIp.indexOf(":") === -1 || !ipaddr.IPv6.isValid(clientIp)) return clientIp;
  const parts = ipaddr.IPv6.parse(clientIp).parts;
  return `${parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(":")}::/64`;
}

/** Adds one to `subject`'s count, forgetting the oldest subject when the map is full. */
function bump(counts: Map<string, number>, subject: string, max: number): number {
  const next = (counts.get(subject) ?? 0) + 1;
  if (next === 1 && counts.size >= max) {
    const oldest = counts.keys().next();
    if (oldest.done !== true) counts.delete(oldest.value);
  }
  counts.set(subject, next);
  return next;
}

/**
 * Counts authentication failures (401s) per client (IPv4 address or IPv6
 * /64, see `clientSubject`; the gateway passes the trusted client address,
 * not the socket peer) and per key hint in
 * fixed, clock-aligned minutes, in this node's memory (bounded maps, cleared
 * when the minute turns). It throttles a client IP past
 * `throttlePerMinute` until the minute ends, and queues a spike when an IP
 * or a hint passes `spikePerMinute`, once per subject and minute, for the
 * spike reporter. Key hints are the display hints (`kg_live_AbCd…wxyz`) of
 * well-formed keys only: nothing else of a presented secret is kept.
 */
export class AuthFailureGuard implements ClientFailureGuard {
  /** True while some client IP is throttled this minute; the gateway asks `retryAfter` only then. */
  throttling = false;
  readonly #spikeAt: number;
  readonly #throttleAt: number;
  readonly #max: number;
  #minute = -1;
  #byIp = new Map<string, number>();
  #guessesByIp = new Map<string, number>();
  #byHint = new Map<string, number>();
  readonly #blocked = new Set<string>();
  #spikes: FailureSpike[] = [];
  #failures = 0;
  #throttled = 0;

  constructor(options: AuthFailureGuardOptions) {
    this.#spikeAt = options.spikePerMinute;
    this.#throttleAt = options.throttlePerMinute;
    this.#max = options.maxTracked ?? 10_000;
  }

  retryAfter(clientIp: string | undefined, now: number): number {
    const minute = Math.floor(now / MINUTE_MS);
    if (minute > this.#minute) {
      this.#roll(minute);
      return 0;
    }
    if (clientIp === undefined || !this.#blocked.has(clientSubject(clientIp))) return 0;
    this.#throttled++;
    return Math.max(1, Math.ceil(((this.#minute + 1) * MINUTE_MS - now) / 1000));
  }

  fail(clientIp: string | undefined, secret: string | undefined, code: VerifyCode, now: number): void {
    // A late `now` (an answer that waited for the store) counts in the running minute.
    const minute = Math.floor(now / MINUTE_MS);
    if (minute > this.#minute) this.#roll(minute);
    this.#failures++;
    if (clientIp !== undefined) {
      const subject = clientSubject(clientIp);
      const count = bump(this.#byIp, subject, this.#max);
      if (count === this.#spikeAt + 1 && this.#spikeAt > 0) this.#spike("clientIp", subject, count);
      if (this.#throttleAt > 0 && GUESSES.has(code)) {
        const guesses = bump(this.#guessesByIp, subject, this.#max);
        if (guesses > this.#throttleAt && this.#blocked.size < this.#max) {
          this.#blocked.add(subject);
          this.throttling = true;
        }
      }
    }
    if (secret !== undefined && HINTED.has(code)) {
      const hint = keyHint(secret);
      const count = bump(this.#byHint, hint, this.#max);
      if (count === this.#spikeAt + 1 && this.#spikeAt > 0) this.#spike("keyHint", hint, count);
    }
  }

  /** Spikes queued since the last call, with the failures counted so far when their minute is still running. */
  drainSpikes(): FailureSpike[] {
    const spikes = this.#spikes;
    this.#spikes = [];
    return spikes.map((spike) => {
      if (spike.minute !== this.#minute * MINUTE_MS) return spike;
      const counts = spike.dimension === "clientIp" ? this.#byIp : this.#byHint;
      return { ...spike, failures: Math.max(spike.failures, counts.get(spike.subject) ?? 0) };
    });
  }

  stats(): { failures: number; throttled: number; trackedClients: number; throttledClients: number } {
    return {
      failures: this.#failures,
      throttled: this.#throttled,
      trackedClients: this.#byIp.size,
      throttledClients: this.#blocked.size,
    };
  }

  #spike(dimension: FailureSpike["dimension"], subject: string, failures: number): void {
    // Bounded like the counts: a flood of distinct subjects cannot grow the queue past them.
    if (this.#spikes.length < this.#max) {
      this.#spikes.push({ dimension, subject, minute: this.#minute * MINUTE_MS, failures });
    }
  }

  #roll(minute: number): void {
    this.#minute = minute;
    this.#byIp = new Map();
    this.#guessesByIp = new Map();
    this.#byHint = new Map();
    this.#blocked.clear();
    this.throttling = false;
  }
}
