import type { Clock, CounterSnapshotStore, CounterStore } from "@keygate/core";
import type { ChangeBusOptions, NodeBus } from "../cluster/create-change-bus.ts";
import type { LimiterLogger } from "../limits/limiter-options.ts";

/** What a process's counters are built from when there is no Redis. */
export interface LocalCountersContext {
  readonly snapshots: CounterSnapshotStore;
  readonly clock: Clock;
  readonly logger: LimiterLogger;
}

/**
 * This process's part in a node run with `--workers n` (given to
 * `startKeygate`). The primary serves the admin and portal ports, owns the
 * counters and the bus hub; each worker serves the gateway and forward-auth
 * ports, leasing from the primary's counters and hearing changes through it.
 * With Redis the bus and counters are Redis's (each worker is a cluster node)
 * and only `exposition` applies.
 */
export interface WorkerPart {
  readonly kind: "primary" | "worker";
  /** The node's change bus when there is no Redis (instead of the in-process one). */
  readonly localBus: (options: ChangeBusOptions) => Promise<NodeBus>;
  /** The node's counters when there is no Redis (instead of this process's own). */
  readonly localCounters: (context: LocalCountersContext) => Promise<CounterStore>;
  /** What `/metrics` serves given this process's own exposition: the primary adds every worker's. */
  readonly exposition: (own: () => Promise<string>) => () => Promise<string>;
}

/** The two gauges every bus reports (as `createChangeBus` does): a worker's IPC channel is its bus. */
export function workerBusMetrics(): string {
  return [
    "# HELP keygate_bus_connected 1 while this node reads the change bus; 0 while cut off (cache cleared, short TTL).",
    "# TYPE keygate_bus_connected gauge",
    "keygate_bus_connected 1",
    "# HELP keygate_bus_queued_changes Committed changes this node could not hand to Redis yet (sent when it is back).",
    "# TYPE keygate_bus_queued_changes gauge",
    "keygate_bus_queued_changes 0",
    "",
  ].join("\n");
}
