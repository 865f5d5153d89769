import { PersistedCounterStore } from "../limits/persisted-counter-store.ts";
import { aggregateExpositions } from "./aggregate-exposition.ts";
import type { WorkerHub } from "./worker-hub.ts";
import { type WorkerPart, workerBusMetrics } from "./worker-part.ts";

/** A worker that does not answer a scrape within this is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2_000;

/**
 * The primary's part: its bus is the hub (applied here, sent to every worker,
 * acknowledged by each), its counters are the node's counters (persisted to
 * the database as on one process, and served to the workers), and its
 * `/metrics` adds up its own exposition, every worker's and `supervisor`'s
 * (live workers, restarts).
 */
export function primaryPart(hub: WorkerHub, supervisor: () => string): WorkerPart {
  return {
    kind: "primary",
    localBus: async () => ({
      bus: hub,
      propagation: hub,
      mode: "workers",
      liveNodes: () => hub.liveNodes(),
      metricsText: workerBusMetrics,
    }),
    localCounters: async (context) => {
      const counters = new PersistedCounterStore(context);
      await counters.start();
      hub.serveCounters(counters);
      return counters;
    },
    exposition: (own) => async () =>
      aggregateExpositions([await own(), ...(await hub.workerMetrics(METRICS_TIMEOUT_MS)), supervisor()]),
  };
}
