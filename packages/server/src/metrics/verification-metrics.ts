import { OUTCOME_CODES } from "../usage/minute-counters.ts";
import type { VerifyCode } from "../verify/verify-outcome.ts";

/** Upper bounds (seconds) of the latency buckets: from a cache hit (a few µs) to a store read timing out (3 s). */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
]);

/** Where an answer came from: memory (a cache hit, or a refusal before any lookup), or a store read. */
export type VerifySource = "memory" | "store";

/** Bucket counts (not cumulative; the last one is +Inf) and the sum of one latency distribution. */
class Latency {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[i] ?? 0)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += seconds;
  }
}

function formatLe(bound: number): string {
  return String(bound);
}

/**
 * Verifications by outcome and their latency, counted on the hot path in
 * typed arrays (a few ns per call, no allocation) and rendered as Prometheus
 * text on demand. prom-client's own `observe` costs hundreds of ns with its
 * label hashing, which the gateway cannot spend per request.
 */
export class VerificationMetrics {
  readonly #outcomes = new Float64Array(OUTCOME_CODES.length);
  readonly #memory = new Latency();
  readonly #store = new Latency();

  /** One verification that ended with `code` after `seconds`. */
  record(code: VerifyCode, seconds: number, source: VerifySource): void {
    const i = OUTCOME_CODES.indexOf(code);
    if (i >= 0) this.#outcomes[i] = (this.#outcomes[i] ?? 0) + 1;
    (source === "memory" ? this.#memory : this.#store).observe(seconds);
  }

  /** Verifications so far by outcome (codes never seen are absent). */
  outcomes(): Partial<Record<VerifyCode, number>> {
    const out: Partial<Record<VerifyCode, number>> = {};
    OUTCOME_CODES.forEach((code, i) => {
      const n = this.#outcomes[i] ?? 0;
      if (n > 0) out[code] = n;
    });
    return out;
  }

  /** `keygate_verifications_total{outcome}` and `keygate_verify_duration_seconds{source}` in text format. */
  text(): string {
    const lines = [
      "# HELP keygate_verifications_total Key verifications on this node (gateway and POST /v1/verify) by outcome.",
      "# TYPE keygate_verifications_total counter",
    ];
    OUTCOME_CODES.forEach((code, i) => {
      lines.push(`keygate_verifications_total{outcome="${code}"} ${this.#outcomes[i] ?? 0}`);
    });
    lines.push(
      "# HELP keygate_verify_duration_seconds Time to answer a verification: from memory (cache hit or refused before any lookup) or after a store read.",
      "# TYPE keygate_verify_duration_seconds histogram",
    );
    for (const [source, latency] of [
      ["memory", this.#memory],
      ["store", this.#store],
    ] as const) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((bound, i) => {
        cumulative += latency.counts[i] ?? 0;
        lines.push(
          `keygate_verify_duration_seconds_bucket{source="${source}",le="${formatLe(bound)}"} ${cumulative}`,
        );
      });
      cumulative += latency.counts[LATENCY_BUCKETS.length] ?? 0;
      lines.push(
        `keygate_verify_duration_seconds_bucket{source="${source}",le="+Inf"} ${cumulative}`,
        `keygate_verify_duration_seconds_sum{source="${source}"} ${latency.sum}`,
        `keygate_verify_duration_seconds_count{source="${source}"} ${cumulative}`,
      );
    }
    return `${lines.join("\n")}\n`;
  }
}
