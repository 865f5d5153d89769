import { IpcCounterStore } from "./ipc-counter-store.ts";
import { RpcEndpoint } from "./rpc-endpoint.ts";
import { WorkerChangeBus } from "./worker-change-bus.ts";
import type { IpcChannel } from "./worker-messages.ts";
import { type PrimaryMethods, RPC_TIMEOUT_MS, type WorkerMethods } from "./worker-methods.ts";
import { type WorkerPart, workerBusMetrics } from "./worker-part.ts";

/**
 * A worker's part, over its IPC channel to the primary: changes through the
 * primary's hub, counters leased from the primary's, and its own metrics
 * handed to the primary when it scrapes.
 */
export function workerProcessPart(channel: IpcChannel): WorkerPart {
  let own: () => Promise<string> = async () => "";
  const rpc = new RpcEndpoint<PrimaryMethods, WorkerMethods>({
    channel,
    local: { metrics: () => own() },
    timeoutMs: RPC_TIMEOUT_MS,
  });
  return {
    kind: "worker",
    localBus: async (options) => {
      const bus = new WorkerChangeBus(channel, rpc, options.clock);
      await bus.start();
      return {
        bus,
        propagation: bus,
        mode: "workers",
        liveNodes: () => bus.liveNodes(),
        metricsText: workerBusMetrics,
      };
    },
    localCounters: async () => new IpcCounterStore(rpc),
    exposition: (mine) => {
      own = mine;
      return mine;
    },
  };
}
