import type { Change } from "@keygate/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { VerifierStats } from "../verify/verifier.ts";
import type { VerificationMetrics } from "./verification-metrics.ts";

/**
 * How often the event-loop delay histogram samples (prom-client's default is
 * 10 ms). Each sample is a timer that wakes the process: at 10 ms an idle
 * gateway spent about 1 % of a core on it here, at 50 ms about 0.1 %, and a
 * gateway sharing its core under load pays the same wake-ups. A stall still
 * shows: it delays whichever sample falls due during it.
 */
const EVENT_LOOP_SAMPLE_MS = 50;

/** Where the node's metrics are read from at scrape time. Each source is optional. */
export interface NodeMetricsSources {
  readonly verification: VerificationMetrics;
  readonly verifier?: { stats(): VerifierStats } | undefined;
  readonly usage?:
    | {
        stats(): {
          trackedKeys: number;
          pendingBuckets: number;
          droppedBuckets: number;
          flushFailures: number;
        };
      }
    | undefined;
  readonly failureGuard?:
    | { stats(): { failures: number; throttled: number; trackedClients: number; throttledClients: number } }
    | undefined;
  /** Node.js process metrics (CPU, memory, event loop lag, GC). Default true. */
  readonly processMetrics?: boolean | undefined;
}

/** A counter whose value is read from a source's cumulative count when scraped. */
function sourcedCounter(
  registry: Registry,
  name: string,
  help: string,
  read: () => number | undefined,
): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      this.reset();
      if (value !== undefined) this.inc(value);
    },
  });
}

function sourcedGauge(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read() ?? 0);
    },
  });
}

/**
 * The node's Prometheus metrics, served on `/metrics` of both ports: a
 * prom-client registry (process metrics, cache hit ratio, propagation lag,
 * usage recorder, alerts, throttling) followed by the hot-path counters of
 * `VerificationMetrics`. The gateway port appends its own
 * `keygate_gateway_*` and cache counters after these.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly #verification: VerificationMetrics;
  readonly #lag: Histogram;
  readonly #alerts: Counter<"type">;

  constructor(sources: NodeMetricsSources) {
    const registry = this.registry;
    this.#verification = sources.verification;
    if (sources.processMetrics !== false) {
      collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    }
    sourcedGauge(
      registry,
      "keygate_verify_cache_hit_ratio",
      "Share of verifications answered from memory since the node started (hits / (hits + misses)).",
      () => {
        const stats = sources.verifier?.stats();
        if (stats === undefined) return undefined;
        const total = stats.hits + stats.misses;
        return total === 0 ? 0 : stats.hits / total;
      },
    );
    this.#lag = new Histogram({
      name: "keygate_propagation_lag_seconds",
      help: "From a change being published (on any node) to this node applying it to its cache.",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.#alerts = new Counter({
      name: "keygate_alerts_total",
      help: "Alerts this node wrote to the outbox, by event type.",
      labelNames: ["type"],
      registers: [registry],
    });
    const usage = () => sources.usage?.stats();
    sourcedGauge(
      registry,
      "keygate_usage_tracked_keys",
      "Keys with usage held in memory.",
      () => usage()?.trackedKeys,
    );
    sourcedGauge(
      registry,
      "keygate_usage_pending_buckets",
      "Per-minute usage buckets waiting to be written.",
      () => usage()?.pendingBuckets,
    );
    sourcedCounter(
      registry,
      "keygate_usage_dropped_buckets_total",
      "Usage buckets dropped because the store could not take them for too long.",
      () => usage()?.droppedBuckets,
    );
    sourcedCounter(
      registry,
      "keygate_usage_flush_failures_total",
      "Usage writes (last use, counts) the store failed; they are retried.",
      () => usage()?.flushFailures,
    );
    const guard = () => sources.failureGuard?.stats();
    sourcedCounter(
      registry,
      "keygate_auth_failures_total",
      "Gateway requests refused with a 401 (missing, malformed, unknown, expired or revoked key).",
      () => guard()?.failures,
    );
    sourcedCounter(
      registry,
      "keygate_auth_throttled_total",
      "Gateway requests answered 429 because their client failed to authenticate too often.",
      () => guard()?.throttled,
    );
    sourcedGauge(
      registry,
      "keygate_auth_throttled_clients",
      "Client IPs throttled in the current minute.",
      () => guard()?.throttledClients,
    );
  }

  /** A change from the bus was applied here at `now`. */
  observeChange(change: Change, now: number): void {
    this.#lag.observe(Math.max(0, now - change.at) / 1000);
  }

  /** This node wrote an alert. */
  alert(type: string): void {
    this.#alerts.inc({ type });
  }

  /** Prometheus text exposition of everything above. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${this.#verification.text()}`;
  }
}
