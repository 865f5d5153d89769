import type { Redis } from "ioredis";
import {
  createRedisClient,
  type RedisClient,
  type RedisNatMap,
} from "../../../src/cluster/redis/redis-connection.ts";
import { OwnRedisCluster } from "./own-redis-cluster.ts";
import { OwnRedisSentinel } from "./own-redis-sentinel.ts";
import { CuttableProxy } from "./redis.ts";
import { directConnection, redisServerInstalled } from "./redis-processes.ts";

export { redisServerInstalled };

/** Every Redis deployment keygate supports besides the single primary. */
export type TopologyKind = "cluster" | "sentinel";

/** A relayed view of a topology: connections made with `url` + `natMap` go through relays the test can cut. */
export interface CuttableView {
  readonly url: string;
  readonly natMap: RedisNatMap;
  cut(): void;
  /** Cuts the relay of the one data node on `port` only. */
  cutNode(port: number): void;
  restore(): void;
  close(): Promise<void>;
}

/** A running topology and what tests do to it, whatever its kind. */
export interface RedisTopology {
  readonly kind: TopologyKind;
  /** `KEYGATE_REDIS_URL` for it. */
  readonly url: string;
  /** Whether keys are hash-tagged (Cluster). */
  readonly clustered: boolean;
  /** A client of the right kind (offline queue on, for tests). */
  client(): RedisClient;
  /** Connections to every data primary now (to SCAN, CLIENT LIST, PUBSUB on each). */
  primaries(): Promise<Redis[]>;
  /** Every data node, primaries and replicas (classic pub/sub subscribers may sit on any). */
  dataNodes(): Promise<Redis[]>;
  /** Deletes every key under `prefix` on every primary (SCAN, never FLUSHALL). */
  deleteKeys(prefix: string): Promise<void>;
  /** Subscribers of a classic pub/sub channel, summed over every data node. */
  numsub(channel: string): Promise<number>;
  /** CLIENT KILL of every data connection whose name is `name`; how many were killed. */
  killClients(name: string): Promise<number>;
  /** Relays in front of every data node, mapped with natMap. */
  cuttable(): Promise<CuttableView>;
  /** Graceful failover of the primary holding `key` (Cluster) or of the primary (Sentinel); new primary's port. */
  failover(key: string): Promise<number>;
  /** SIGKILL to that primary; resolves once a replica took over. */
  crash(key: string): Promise<number>;
  /** The port of the primary that holds `key` now. */
  primaryPortOf(key: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts a topology: Cluster = 3 primaries (with one replica each when `replicas` is 1); Sentinel = 1 + 1 + 3 Sentinels. */
export async function startTopology(
  kind: TopologyKind,
  options: { replicas?: 0 | 1 } = {},
): Promise<RedisTopology> {
  if (kind === "cluster") {
    const cluster = await OwnRedisCluster.start({ masters: 3, replicas: options.replicas ?? 0 });
    const connect = async (ports: number[]) => {
      const out: Redis[] = [];
      for (const port of ports) {
        const redis = directConnection(port);
        await redis.connect();
        out.push(redis);
      }
      return out;
    };
    const livePorts = async (role?: "master") =>
      (await cluster.nodes())
        .filter((n) => !n.failed && (role === undefined || n.role === role))
        .map((n) => n.port);
    return topology({
      kind,
      url: cluster.url,
      clustered: true,
      primaries: async () => connect(await livePorts("master")),
      dataNodes: async () => connect(await livePorts()),
      dataPorts: () => cluster.ports,
      relayUrl: (map) => `redis+cluster://${cluster.ports.map((p) => `127.0.0.1:${map.get(p)}`).join(",")}`,
      primaryPortOf: (key) => cluster.masterPortOf(key),
      failover: async (key) => cluster.failover(await cluster.masterPortOf(key)),
      crash: async (key) => cluster.crashMaster(await cluster.masterPortOf(key)),
      close: () => cluster.close(),
    });
  }
  const sentinel = await OwnRedisSentinel.start();
  const connectOne = async (port: number) => {
    const redis = directConnection(port);
    await redis.connect();
    return redis;
  };
  return topology({
    kind,
    url: sentinel.url,
    clustered: false,
    primaries: async () => [await connectOne(await sentinel.masterPort())],
    dataNodes: async () => {
      const out: Redis[] = [];
      for (const port of sentinel.dataPorts) {
        const redis = directConnection(port);
        if (
          await redis.connect().then(
            () => true,
            () => false,
          )
        )
          out.push(redis);
        else redis.disconnect();
      }
      return out;
    },
    dataPorts: () => sentinel.dataPorts,
    relayUrl: () => sentinel.url,
    primaryPortOf: () => sentinel.masterPort(),
    failover: () => sentinel.failover(),
    crash: () => sentinel.crashMaster(),
    close: () => sentinel.close(),
  });
}

interface TopologyParts {
  readonly kind: TopologyKind;
  readonly url: string;
  readonly clustered: boolean;
  primaries(): Promise<Redis[]>;
  dataNodes(): Promise<Redis[]>;
  dataPorts(): number[];
  relayUrl(relayPortOf: Map<number, number>): string;
  primaryPortOf(key: string): Promise<number>;
  failover(key: string): Promise<number>;
  crash(key: string): Promise<number>;
  close(): Promise<void>;
}

async function onEach<T>(connections: Promise<Redis[]>, work: (redis: Redis) => Promise<T>): Promise<T[]> {
  const list = await connections;
  try {
    return await Promise.all(list.map(work));
  } finally {
    for (const redis of list) redis.disconnect();
  }
}

function topology(parts: TopologyParts): RedisTopology {
  return {
    kind: parts.kind,
    url: parts.url,
    clustered: parts.clustered,
    client: () => {
      const client = createRedisClient(parts.url, { connectionName: "kgtest-admin", connectTimeout: 2000 });
      client.on("error", () => undefined);
      return client;
    },
    primaries: () => parts.primaries(),
    dataNodes: () => parts.dataNodes(),
    async deleteKeys(prefix) {
      await onEach(parts.primaries(), async (redis) => {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
          cursor = next;
          // One DEL per key: on Cluster keys of one node may still lie in different slots.
          for (const key of keys) await redis.del(key);
        } while (cursor !== "0");
      });
    },
    async numsub(channel) {
      const counts = await onEach(parts.dataNodes(), async (redis) => {
        const reply = (await redis.pubsub("NUMSUB", channel)) as unknown[];
        return Number(reply[1] ?? 0);
      });
      return counts.reduce((sum, n) => sum + n, 0);
    },
    async killClients(name) {
      const counts = await onEach(parts.dataNodes(), async (redis) => {
        const list = String(await redis.client("LIST"));
        let killed = 0;
        for (const line of list.split("\n")) {
          if (!line.includes(` name=${name} `)) continue;
          const id = line.match(/^id=(\d+) /)?.[1];
          if (id !== undefined) killed += Number(await redis.client("KILL", "ID", id));
        }
        return killed;
      });
      return counts.reduce((sum, n) => sum + n, 0);
    },
    async cuttable() {
      const relays = new Map<number, CuttableProxy>();
      const relayPortOf = new Map<number, number>();
      const natMap: Record<string, { host: string; port: number }> = {};
      for (const port of parts.dataPorts()) {
        const relay = await CuttableProxy.start(port);
        const relayPort = Number(new URL(relay.url).port);
        relays.set(port, relay);
        relayPortOf.set(port, relayPort);
        natMap[`127.0.0.1:${port}`] = { host: "127.0.0.1", port: relayPort };
      }
      return {
        url: parts.relayUrl(relayPortOf),
        natMap,
        cut: () => {
          for (const relay of relays.values()) relay.cut();
        },
        cutNode: (port) => relays.get(port)?.cut(),
        restore: () => {
          for (const relay of relays.values()) relay.restore();
        },
        close: async () => {
          for (const relay of relays.values()) await relay.close();
        },
      };
    },
    primaryPortOf: (key) => parts.primaryPortOf(key),
    failover: (key) => parts.failover(key),
    crash: (key) => parts.crash(key),
    close: () => parts.close(),
  };
}
