import { hostname } from "node:os";
import type { ChangeBus, Clock } from "@keygate/core";
import type { Logger } from "pino";
import type { Role } from "../config/load-config.ts";
import { LocalChangeBus } from "./local/local-change-bus.ts";
import type { PropagationTracker } from "./propagation.ts";
import type { NodeInfo } from "./redis/node-registry.ts";
import { RedisChangeBus } from "./redis/redis-change-bus.ts";

/** The bus of one node and what the admin API reads about the cluster. */
export interface NodeBus {
  readonly bus: ChangeBus;
  readonly propagation: PropagationTracker;
  /** Live nodes of the cluster (this one alone on a single node). */
  liveNodes(): Promise<readonly NodeInfo[]>;
  /** `workers`: the processes of one `--workers n` node, over their IPC channels (packages/server/src/workers). */
  readonly mode: "local" | "redis" | "workers";
  /** Prometheus lines: whether this node hears the bus, and the changes it could not send yet. */
  metricsText(): string;
}

function busMetrics(connected: boolean, queued: number): string {
  return [
    "# HELP keygate_bus_connected 1 while this node reads the change bus; 0 while cut off (cache cleared, short TTL).",
    "# TYPE keygate_bus_connected gauge",
    `keygate_bus_connected ${connected ? 1 : 0}`,
    "# HELP keygate_bus_queued_changes Committed changes this node could not hand to Redis yet (sent when it is back).",
    "# TYPE keygate_bus_queued_changes gauge",
    `keygate_bus_queued_changes ${queued}`,
    "",
  ].join("\n");
}

export interface ChangeBusOptions {
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  readonly nodeId: string;
  readonly role: Role;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The node may have missed invalidations: stop trusting the cache until `onBusRestored`. */
  readonly onBusLost: () => void;
  readonly onBusRestored: () => void;
  /** Without Redis: the bus of a `--workers n` process (the primary's hub or a worker's link) instead of the in-process one. */
  readonly local?: ((options: ChangeBusOptions) => Promise<NodeBus>) | undefined;
}

/**
 * One node: changes are applied in process. With `KEYGATE_REDIS_URL`: the
 * Redis stream bus, which also keeps the live-node registry and the
 * acknowledgements behind `propagation`.
 */
export async function createChangeBus(options: ChangeBusOptions): Promise<NodeBus> {
  if (options.redisUrl === undefined && options.local !== undefined) return options.local(options);
  if (options.redisUrl === undefined) {
    const local = new LocalChangeBus();
    const startedAt = options.clock.now();
    return {
      bus: local,
      propagation: local,
      mode: "local",
      metricsText: () => busMetrics(true, 0),
      liveNodes: async () => [
        {
          nodeId: options.nodeId,
          role: options.role,
          host: hostname(),
          pid: process.pid,
          startedAt,
          lastHeartbeatAt: options.clock.now(),
          lastChangeId: null,
          lastAckAt: null,
          busConnected: true,
        },
      ],
    };
  }
  const redis = new RedisChangeBus({
    redisUrl: options.redisUrl,
    keyPrefix: options.redisPrefix,
    nodeId: options.nodeId,
    role: options.role,
    clock: options.clock,
    logger: options.logger,
    onBusLost: () => {
      options.logger.warn({}, "change bus lost: cache cleared, short cache TTL until it is back");
      options.onBusLost();
    },
    onBusRestored: () => {
      options.logger.info({}, "change bus restored");
      options.onBusRestored();
    },
  });
  await redis.start();
  return {
    bus: redis,
    propagation: redis,
    mode: "redis",
    liveNodes: () => redis.liveNodes(),
    metricsText: () => busMetrics(redis.isConnected(), redis.queuedChanges()),
  };
}
