import type { Clock, CounterSnapshotStore, CounterStore, KeyStore } from "@keygate/core";
import { RedisCounterStore } from "../cluster/redis/counters/redis-counter-store.ts";
import type { WorkerPart } from "../workers/worker-part.ts";
import { Limiter } from "./limiter.ts";
import type { LimiterLogger, LimiterOptions } from "./limiter-options.ts";
import { PersistedCounterStore } from "./persisted-counter-store.ts";

export interface CreateLimiterOptions {
  /** `KEYGATE_REDIS_URL`: counters shared by the cluster. Without it, in-process counters persisted to `store`. */
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  readonly store: Pick<KeyStore, "listPlans"> & CounterSnapshotStore;
  readonly clock: Clock;
  readonly logger: LimiterLogger;
  /** How many nodes are live (a node's share of a limit while Redis is unreachable). */
  readonly liveNodes: () => Promise<number>;
  /** Where quotas stand, whenever the counter store answers for one (`quota.threshold`). */
  readonly onQuotaUsage?: LimiterOptions["onQuotaUsage"];
  /**
   * Without Redis, under `--workers n`: the counters of the node's processes (the primary's own, which
   * the workers lease from over IPC). They are shared, so leases are sized for `liveNodes` processes.
   */
  readonly localCounters?: WorkerPart["localCounters"] | undefined;
}

/** The node's limiter, started: plans read, counters connected (Redis) or loaded (one node). */
export async function createLimiter(options: CreateLimiterOptions): Promise<Limiter> {
  let counters: CounterStore;
  if (options.redisUrl !== undefined) {
    const redis = new RedisCounterStore({ redisUrl: options.redisUrl, keyPrefix: options.redisPrefix });
    await redis.connect();
    counters = redis;
  } else if (options.localCounters !== undefined) {
    counters = await options.localCounters({
      snapshots: options.store,
      clock: options.clock,
      logger: options.logger,
    });
  } else {
    const persisted = new PersistedCounterStore({
      snapshots: options.store,
      clock: options.clock,
      logger: options.logger,
    });
    await persisted.start();
    counters = persisted;
  }
  const limiter = new Limiter({
    counters,
    shared:
      options.redisUrl === undefined && options.localCounters === undefined
        ? undefined
        : { liveNodes: options.liveNodes },
    plans: options.store,
    clock: options.clock,
    logger: options.logger,
    onQuotaUsage: options.onQuotaUsage,
  });
  await limiter.start();
  return limiter;
}
