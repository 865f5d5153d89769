import type { QuotaUsage } from "../limits/limiter-options.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import { emitOnce } from "./emit-alert.ts";

/** The shares of a quota at which `quota.threshold` is reported, once each per consumer and period. */
export const QUOTA_THRESHOLDS = [80, 100] as const;

/** Most (consumer, period, threshold) facts remembered on this node before the oldest is forgotten. */
const MAX_REMEMBERED = 100_000;

/**
 * Turns the limiter's quota reports into `quota.threshold` events: the
 * first time a consumer's counter reaches 80 % and 100 % of its quota in a
 * period. Each is written once across every node (a dedupe lease in the
 * store named after consumer, period and threshold, held until the period
 * ends); a memory set in front keeps the store out of the way for what this
 * node already decided. The counter counts units leased to nodes, so a
 * threshold is reported when the cluster has handed out that share.
 */
export class QuotaThresholdReporter {
  readonly #deps: ServiceDeps;
  readonly #dedupe: Parameters<typeof emitOnce>[1];
  readonly #seen = new Set<string>();
  readonly #onAlert: ((type: string) => void) | undefined;

  constructor(deps: ServiceDeps, dedupe: Parameters<typeof emitOnce>[1], onAlert?: (type: string) => void) {
    this.#deps = deps;
    this.#dedupe = dedupe;
    this.#onAlert = onAlert;
  }

  /** Synchronous and cheap: the write, when one is due, runs in the background. */
  observe(usage: QuotaUsage): void {
    if (usage.limit <= 0) return;
    const percent = (usage.used / usage.limit) * 100;
    for (const threshold of QUOTA_THRESHOLDS) {
      if (percent < threshold) continue;
      const key = `quota.threshold:${usage.consumerId}:${usage.periodStart}:${threshold}`;
      if (this.#seen.has(key)) continue;
      this.#remember(key);
      void this.#emit(key, threshold, usage);
    }
  }

  #remember(key: string): void {
    this.#seen.add(key);
    if (this.#seen.size > MAX_REMEMBERED) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }

  async #emit(key: string, threshold: number, usage: QuotaUsage): Promise<void> {
    const now = this.#deps.clock.now();
    try {
      const written = await emitOnce(this.#deps, this.#dedupe, {
        type: "quota.threshold",
        dedupeKey: key,
        // Until the period ends (and a minute more): the next period reports anew.
        dedupeMs: Math.max(60_000, usage.periodEnd - now + 60_000),
        data: {
          consumerId: usage.consumerId,
          threshold,
          used: usage.used,
          limit: usage.limit,
          policy: usage.policy,
          periodStart: new Date(usage.periodStart).toISOString(),
          resetAt: new Date(usage.periodEnd).toISOString(),
        },
      });
      if (written) this.#onAlert?.("quota.threshold");
    } catch {
      // The store did not answer: forget it here, so the next report tries again.
      this.#seen.delete(key);
    }
  }
}
