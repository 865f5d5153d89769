import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { BusLogger } from "./redis-change-bus-options.ts";
import { parseRedisUrl, type RedisHostPort, type RedisTarget } from "./redis-target.ts";

/** A connection to any topology: one primary or Sentinel (`Redis`), or Redis Cluster (`Cluster`). */
export type RedisClient = Redis | Cluster;

/** Address translation: the address a node announces → where this process reaches it (NAT, tests' relays). */
export type RedisNatMap = Readonly<Record<string, RedisHostPort>>;

/** Reconnect delay after the n-th failed attempt: 50, 100, 200, 400, then 500 ms forever. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), 500);
}

/**
 * How one connection behaves, whatever the topology. Each option means what
 * it means on an ioredis `Redis`; on a Cluster it applies to every node's
 * connection (`enableOfflineQueue` to the cluster client itself).
 */
export interface RedisConnectionTuning {
  readonly connectionName: string;
  readonly connectTimeout: number;
  readonly commandTimeout?: number | undefined;
  readonly socketTimeout?: number | undefined;
  readonly keepAlive?: number | undefined;
  readonly enableOfflineQueue?: boolean | undefined;
  readonly maxRetriesPerRequest?: number | null | undefined;
  readonly autoResendUnfulfilledCommands?: boolean | undefined;
  /** Only for deployments where nodes announce addresses this process cannot reach. */
  readonly natMap?: RedisNatMap | undefined;
}

/**
 * A write that reached a primary demoted to replica (a Sentinel failover, or a
 * Cluster failover before the client saw the new slot map) fails with
 * READONLY: reconnect, so Sentinel names the new primary or the slots are
 * re-read. The failed command is not resent (return 1, not 2): it did not run,
 * and the caller already treats a failed command as an outage.
 */
function reconnectOnReadonly(error: Error): 1 | false {
  return error.message.startsWith("READONLY") ? 1 : false;
}

/**
 * The one place keygate opens Redis connections. `lazyConnect` always:
 * callers connect when they are ready for errors. Passwords never leave
 * `target`: nothing here logs it.
 */
export function createRedisClient(target: RedisTarget | string, tuning: RedisConnectionTuning): RedisClient {
  const t = typeof target === "string" ? parseRedisUrl(target) : target;
  const { natMap, enableOfflineQueue, ...perConnection } = tuning;
  const common: RedisOptions = {
    ...perConnection,
    reconnectOnError: reconnectOnReadonly,
  };
  if (t.type === "single") {
    return new Redis(t.url, {
      lazyConnect: true,
      retryStrategy: reconnectDelayMs,
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      ...common,
    });
  }
  const auth: RedisOptions = {
    ...(t.username === undefined ? {} : { username: t.username }),
    ...(t.password === undefined ? {} : { password: t.password }),
    ...(t.tls ? { tls: {} } : {}),
  };
  if (t.type === "sentinel") {
    return new Redis({
      lazyConnect: true,
      retryStrategy: reconnectDelayMs,
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      ...common,
      ...auth,
      sentinels: t.sentinels.map(({ host, port }) => ({ host, port })),
      name: t.masterName,
      role: "master",
      db: t.db,
      ...(t.sentinelUsername === undefined ? {} : { sentinelUsername: t.sentinelUsername }),
      ...(t.sentinelPassword === undefined ? {} : { sentinelPassword: t.sentinelPassword }),
      enableTLSForSentinelMode: t.tls,
      sentinelRetryStrategy: reconnectDelayMs,
      // Listens for +switch-master on the Sentinels: a promotion moves this connection at once,
      // instead of when the old primary's socket finally errors.
      failoverDetector: true,
      ...(natMap === undefined ? {} : { natMap: { ...natMap } }),
    });
  }
  return new Cluster(
    t.nodes.map(({ host, port }) => ({ host, port })),
    {
      lazyConnect: true,
      clusterRetryStrategy: reconnectDelayMs,
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      // After a failover the client learns the new slot owner from MOVED or a refresh;
      // a short refresh interval bounds how long it keeps knocking at a dead primary.
      slotsRefreshInterval: 1000,
      slotsRefreshTimeout: 1000,
      // The cluster client resends a command whose connection closed, though it may have run:
      // a connection that must never run a command twice (counters) turns that off, as it turns
      // off `autoResendUnfulfilledCommands` on one primary. One that must fail fast
      // (`maxRetriesPerRequest: 0`) does not wait out CLUSTERDOWN either: a timed-out command
      // left in that queue would run later, after its caller gave up.
      retryDelayOnFailover: tuning.autoResendUnfulfilledCommands === false ? 0 : 100,
      retryDelayOnClusterDown: tuning.maxRetriesPerRequest === 0 ? 0 : 100,
      ...(natMap === undefined ? {} : { natMap: { ...natMap } }),
      // With TLS the certificate names the host, so hostnames must not be resolved to IPs first.
      ...(t.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      redisOptions: { ...common, ...auth },
    },
  );
}

/**
 * One ioredis connection of the bus. Each connection logs its first error of
 * an outage (not every failed reconnect attempt) and its recovery. The URL
 * is never logged: it may carry a password.
 */
export function openRedisConnection(
  target: RedisTarget | string,
  name: string,
  logger: BusLogger,
  tuning: Omit<RedisConnectionTuning, "connectionName" | "connectTimeout">,
): RedisClient {
  const redis = createRedisClient(target, { connectionName: name, connectTimeout: 2000, ...tuning });
  let failing = false;
  redis.on("error", (error: Error) => {
    if (failing) return;
    failing = true;
    logger.warn({ connection: name, err: error.message }, "redis connection error");
  });
  redis.on("ready", () => {
    if (!failing) return;
    failing = false;
    logger.info({ connection: name }, "redis connection restored");
  });
  return redis;
}

/** Resolves on the connection's next `ready`, or after `ms`, whichever comes first. */
export function readyOrTimeout(redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once("ready", done);
  });
}

/**
 * Connects a client and, on Redis Cluster, every node connection it knows.
 * ioredis opens a cluster's node connections at their first command, and a
 * client without an offline queue refuses commands to a node still
 * connecting: the first burst after start would fail for nothing.
 */
export async function connectClient(redis: RedisClient): Promise<void> {
  await redis.connect();
  if (!(redis instanceof Cluster)) return;
  await Promise.all(
    redis.nodes("all").map(async (node) => {
      if (node.status === "wait") await node.connect().catch(() => undefined);
      else await readyOrTimeout(node, 2000);
    }),
  );
}
