/**
 * The gateway's own counters, rendered in Prometheus text format on
 * `/metrics` after whatever the node's registry provides.
 */
export class GatewayMetrics {
  readonly #byOutcome = new Map<string, number>();
  #upstreamErrors = 0;

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

  text(): string {
    const lines = [
      "# HELP keygate_gateway_requests_total Gateway requests by verification outcome or gateway error.",
      "# TYPE keygate_gateway_requests_total counter",
    ];
    for (const [outcome, count] of [...this.#byOutcome].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`keygate_gateway_requests_total{outcome="${outcome}"} ${count}`);
    }
    lines.push(
      "# HELP keygate_gateway_upstream_errors_total Requests the upstream did not answer (connect, reset, timeout).",
      "# TYPE keygate_gateway_upstream_errors_total counter",
      `keygate_gateway_upstream_errors_total ${this.#upstreamErrors}`,
    );
    return `${lines.join("\n")}\n`;
  }
}
