/** What the limiter counts for `/metrics`. */
export interface LimiterCounts {
  takes: number;
  allowed: number;
  rateLimited: number;
  quotaExceeded: number;
  outages: number;
}

/** Prometheus exposition of the limiter's state, appended to `/metrics` by the composition root. */
export function limiterMetricsText(counts: LimiterCounts, degraded: boolean): string {
  return [
    "# HELP keygate_limits_degraded 1 while limits run on local counters because the shared counter store is unreachable.",
    "# TYPE keygate_limits_degraded gauge",
    `keygate_limits_degraded ${degraded ? 1 : 0}`,
    "# HELP keygate_limits_outages_total Times the shared counter store became unreachable.",
    "# TYPE keygate_limits_outages_total counter",
    `keygate_limits_outages_total ${counts.outages}`,
    "# HELP keygate_limits_counter_takes_total Lease takes sent to the counter store.",
    "# TYPE keygate_limits_counter_takes_total counter",
    `keygate_limits_counter_takes_total ${counts.takes}`,
    "# HELP keygate_limits_decisions_total Limited requests decided on this node, by result.",
    "# TYPE keygate_limits_decisions_total counter",
    `keygate_limits_decisions_total{result="allowed"} ${counts.allowed}`,
    `keygate_limits_decisions_total{result="RATE_LIMITED"} ${counts.rateLimited}`,
    `keygate_limits_decisions_total{result="QUOTA_EXCEEDED"} ${counts.quotaExceeded}`,
    "",
  ].join("\n");
}
