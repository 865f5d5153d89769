import type { VerifierStats } from "../verify/verifier.ts";

/**
 * A client-facing port's own counters (the gateway's, or forward auth's),
 * rendered in Prometheus text format on the admin port's `/metrics` after
 * whatever the node's registry provides.
 */
export class GatewayMetrics {
  readonly #byOutcome = new Map<string, number>();
  readonly #port: "gateway" | "authz";
  #upstreamErrors = 0;

  /** `port` names the metric: `keygate_gateway_requests_total` or `keygate_authz_requests_total`. */
  constructor(port: "gateway" | "authz" = "gateway") {
    this.#port = port;
  }

  /** One request ended with `outcome` (a verification code, or the gateway's own error code). */
  count(outcome: string): void {
    this.#byOutcome.set(outcome, (this.#byOutcome.get(outcome) ?? 0) + 1);
  }

  upstreamError(): void {
    this.#upstreamErrors++;
  }

  snapshot(): { byOutcome: Record<string, number>; upstreamErrors: number } {
    return { byOutcome: Object.fromEntries(this.#byOutcome), upstreamErrors: this.#upstreamErrors };
  }

  /** Prometheus text of the port's counters, and of the verification cache when its stats are given. */
  text(cache?: VerifierStats): string {
    const name = `keygate_${this.#port}_requests_total`;
    const lines =
      this.#port === "gateway"
        ? [
            `# HELP ${name} Gateway requests by verification outcome or gateway error.`,
            `# TYPE ${name} counter`,
          ]
        : [
            `# HELP ${name} Forward-auth questions by verification outcome or error (a request counts once).`,
            `# TYPE ${name} counter`,
          ];
    for (const [outcome, count] of [...this.#byOutcome].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`${name}{outcome="${outcome}"} ${count}`);
    }
    if (this.#port === "gateway") {
      lines.push(
        "# HELP keygate_gateway_upstream_errors_total Requests the upstream did not answer (connect, reset, timeout).",
        "# TYPE keygate_gateway_upstream_errors_total counter",
        `keygate_gateway_upstream_errors_total ${this.#upstreamErrors}`,
      );
    }
    if (cache !== undefined) {
      const counters: Array<[string, string, number]> = [
        ["keygate_verify_cache_hits_total", "Verifications answered from memory.", cache.hits],
        ["keygate_verify_cache_misses_total", "Verifications that needed the store.", cache.misses],
        [
          "keygate_verify_cache_coalesced_total",
          "Misses that joined a store read in flight.",
          cache.coalesced,
        ],
        ["keygate_verify_store_errors_total", "Verification reads the store failed.", cache.storeErrors],
        [
          "keygate_verify_cache_stale_answers_total",
          "Answers from expired entries while the store failed.",
          cache.staleAnswers,
        ],
        ["keygate_verify_cache_evictions_total", "Entries evicted to stay within capacity.", cache.evictions],
      ];
      for (const [name, help, value] of counters)
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
      lines.push(
        "# HELP keygate_verify_cache_entries Entries in the verification cache (negative ones included).",
        "# TYPE keygate_verify_cache_entries gauge",
        `keygate_verify_cache_entries ${cache.entries}`,
      );
    }
    return `${lines.join("\n")}\n`;
  }
}
