/**
 * A keygate cluster as real processes on loopback: the market-data upstream
 * and N `keygate start --role …` nodes sharing one PostgreSQL database and one
 * Redis prefix. Used by the cluster and fault tests, `npm run cluster` and the
 * revocation bench.
 *
 * ```ts
 * const cluster = await startCluster({ gateways: 3 });   // + 1 admin node (`all: n` adds both-port nodes)
 * await cluster.admin("POST", "/v1/consumers", { name: "acme" });
 * await fetch(`${cluster.gateways[0].gatewayUrl}/v2/trader-grades?symbol=ETH`, …);
 * await cluster.kill(cluster.gateways[1]);                // SIGKILL by PID
 * await cluster.restart(cluster.gateways[1]);             // same ports and env
 * await cluster.stop();                                   // every process by PID, DB dropped, Redis keys deleted
 * ```
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { freePort } from "./free-port.ts";
import { type RunningProcess, spawnProcess, waitForHttp } from "./spawn-process.ts";

/** The Redis cluster tests use unless told otherwise: `KEYGATE_TEST_REDIS_URL`, else the local default. */
export const TEST_REDIS_URL = process.env.KEYGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** The server cluster databases are created on: `KEYGATE_TEST_POSTGRES_URL`, else the local default. */
export const TEST_POSTGRES_URL =
  process.env.KEYGATE_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

export type NodeRole = "all" | "gateway" | "admin";

export interface ClusterOptions {
  /** Gateway-only nodes (`--role gateway`). Default 3. */
  readonly gateways?: number;
  /** Admin-only nodes (`--role admin`). Default 1. */
  readonly admins?: number;
  /** Nodes with both ports (`--role all`). Default 0. */
  readonly all?: number;
  /** The shared store. Default: a fresh database on `TEST_POSTGRES_URL`'s server, dropped by `stop()`. */
  readonly databaseUrl?: string;
  /** Default `TEST_REDIS_URL`. */
  readonly redisUrl?: string;
  /** Default: a fresh `kgtest:…:` prefix whose keys `stop()` deletes. */
  readonly redisPrefix?: string;
  /** Extra environment for every node (e.g. `KEYGATE_LOG_LEVEL`). */
  readonly env?: Record<string, string>;
  /** Names the database and prefix, for finding leftovers. Default "cluster". */
  readonly label?: string;
  /** Most time for each node to become ready. Default 30 s (tsx start-up on a loaded machine). */
  readonly readyTimeoutMs?: number;
}

/** One node: its role, its URLs (fixed across restarts) and its current process. */
export interface ClusterNode {
  /** `admin-1`, `gateway-2`, … (also its `KEYGATE_NODE_ID`). */
  readonly name: string;
  readonly role: NodeRole;
  /** Set for admin and all nodes. */
  readonly adminUrl: string | undefined;
  /** Set for gateway and all nodes. */
  readonly gatewayUrl: string | undefined;
  /** Forward auth (`KEYGATE_AUTHZ_PORT`): set for gateway and all nodes. */
  readonly authzUrl: string | undefined;
  /**
   * Where the node's Prometheus metrics are: the admin port for admin and all
   * nodes, the internal metrics listener (`KEYGATE_METRICS_PORT`) for
   * gateway nodes; never the gateway port (security review, finding 7).
   */
  readonly metricsUrl: string;
  /** The current process (a new one after `restart`). */
  readonly process: RunningProcess;
  readonly pid: number;
  /** Output of every process this node has run, in order. */
  output(): string;
  running(): boolean;
}

/** A row of `GET /v1/nodes`. */
export interface LiveNode {
  readonly id: string;
  readonly role: NodeRole;
  readonly pid: number;
  readonly busConnected: boolean;
  readonly lastChangeId: string | null;
  readonly lastAckAt: string | null;
}

export interface KeygateCluster {
  /** Every node, in start order: admin, then all, then gateway nodes. */
  readonly nodes: readonly ClusterNode[];
  /** The nodes with a gateway port (gateway and all nodes). */
  readonly gateways: readonly ClusterNode[];
  /** The admin URL of the first node started (an admin node, else an all node). */
  readonly adminUrl: string;
  readonly adminToken: string;
  readonly upstreamUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  /** A JSON call to the admin API with the root token. */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** `GET /v1/nodes`: the live nodes as the registry sees them. */
  liveNodes(): Promise<LiveNode[]>;
  /** Resolves when `GET /v1/nodes` lists exactly these nodes' current PIDs, each with its bus connected. */
  waitForRegistry(nodes?: readonly ClusterNode[], timeoutMs?: number): Promise<void>;
  /** SIGKILL to the node's process (by PID); resolves when it has exited. */
  kill(node: ClusterNode): Promise<void>;
  /** SIGTERM (graceful: drains and leaves the registry). */
  stopNode(node: ClusterNode): Promise<void>;
  /** A new process for a stopped node, same ports and environment; resolves when it is ready. */
  restart(node: ClusterNode): Promise<void>;
  /** Ends every process by PID, drops the database it created, deletes its Redis keys. */
  stop(): Promise<void>;
}

/** Why a cluster cannot run here (PostgreSQL or Redis unreachable), or null. */
export async function missingClusterServices(redisUrl = TEST_REDIS_URL): Promise<string | null> {
  const missing: string[] = [];
  if (!(await postgresReachable())) missing.push("PostgreSQL");
  if (!(await redisReachable(redisUrl))) missing.push("Redis");
  return missing.length === 0 ? null : missing.join(" and ");
}

async function withPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function postgresReachable(): Promise<boolean> {
  return withPostgres((client) => client.query("select 1")).then(
    () => true,
    () => false,
  );
}

/** A fresh, uniquely named database on `TEST_POSTGRES_URL`'s server; `drop()` removes it even while in use. */
export async function createDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 20);
  const name = `kg_${safe}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withPostgres((client) => client.query(`create database "${name}"`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withPostgres((client) => client.query(`drop database if exists "${name}" with (force)`)).then(
        () => undefined,
      ),
  };
}

export async function redisReachable(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix` (SCAN + DEL, never FLUSHALL: the server may be shared). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } catch {
    // Best effort: the Redis may be a private one already stopped.
  } finally {
    redis.disconnect();
  }
}

interface NodeSlot {
  name: string;
  role: NodeRole;
  adminUrl: string | undefined;
  gatewayUrl: string | undefined;
  authzUrl: string | undefined;
  metricsUrl: string;
  env: Record<string, string>;
  process: RunningProcess;
  history: RunningProcess[];
}

function isRunning(proc: RunningProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

export async function startCluster(options: ClusterOptions = {}): Promise<KeygateCluster> {
  const label = options.label ?? "cluster";
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const redisUrl = options.redisUrl ?? TEST_REDIS_URL;
  const redisPrefix =
    options.redisPrefix ?? `kgtest:${label}:${process.pid}:${randomBytes(3).toString("hex")}:`;
  const database = options.databaseUrl === undefined ? await createDatabase(label) : undefined;
  const databaseUrl = options.databaseUrl ?? database?.url ?? "";
  const adminToken = `kga_cluster_${randomBytes(12).toString("hex")}`;
  const upstreamPort = await freePort();
  const upstream = spawnProcess(["examples/market-data/src/main.ts"], { PORT: String(upstreamPort) });
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  const slots: NodeSlot[] = [];

  const common = {
    KEYGATE_HOST: "127.0.0.1",
    KEYGATE_UPSTREAM: upstreamUrl,
    KEYGATE_DATABASE_URL: databaseUrl,
    KEYGATE_REDIS_URL: redisUrl,
    KEYGATE_REDIS_PREFIX: redisPrefix,
    KEYGATE_ADMIN_TOKEN: adminToken,
    KEYGATE_LOG_LEVEL: "info",
    ...options.env,
  };
  const spawnNode = (slot: Pick<NodeSlot, "role" | "env">) =>
    spawnProcess(["packages/server/bin/keygate.js", "start", "--role", slot.role], slot.env);
  const ready = async (slot: NodeSlot) => {
    if (slot.adminUrl !== undefined)
      await waitForHttp(`${slot.adminUrl}/readyz`, slot.process, readyTimeoutMs);
    if (slot.gatewayUrl !== undefined)
      await waitForHttp(`${slot.gatewayUrl}/readyz`, slot.process, readyTimeoutMs);
  };
  const addNode = async (role: NodeRole, index: number): Promise<NodeSlot> => {
    const [adminPort, gatewayPort, portalPort, authzPort, metricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const name = `${role}-${index}`;
    const env = {
      ...common,
      KEYGATE_NODE_ID: name,
      KEYGATE_ADMIN_PORT: String(adminPort),
      KEYGATE_GATEWAY_PORT: String(gatewayPort),
      // `all` nodes serve the portal too: each on a port of its own.
      KEYGATE_PORTAL_PORT: String(portalPort),
      KEYGATE_AUTHZ_PORT: String(authzPort),
      KEYGATE_METRICS_PORT: String(metricsPort),
    };
    const proc = spawnNode({ role, env });
    const slot: NodeSlot = {
      name,
      role,
      adminUrl: role === "gateway" ? undefined : `http://127.0.0.1:${adminPort}`,
      gatewayUrl: role === "admin" ? undefined : `http://127.0.0.1:${gatewayPort}`,
      authzUrl: role === "admin" ? undefined : `http://127.0.0.1:${authzPort}`,
      metricsUrl: role === "gateway" ? `http://127.0.0.1:${metricsPort}` : `http://127.0.0.1:${adminPort}`,
      env,
      process: proc,
      history: [proc],
    };
    slots.push(slot);
    return slot;
  };
  const killAll = async () => {
    await Promise.all([...slots.map((slot) => slot.process.stop(5000)), upstream.stop(2000)]);
  };

  try {
    await waitForHttp(`${upstreamUrl}/v2/trader-grades?symbol=ETH`, upstream, readyTimeoutMs);
    // The first admin (or all) node migrates the schema alone; the others start together once it is ready.
    const plan: Array<[NodeRole, number]> = [
      ["admin", options.admins ?? 1],
      ["all", options.all ?? 0],
      ["gateway", options.gateways ?? 3],
    ];
    const firstRole = plan.find(([role, count]) => role !== "gateway" && count > 0)?.[0];
    if (firstRole === undefined) throw new Error("a cluster needs at least one admin or all node");
    const first = await addNode(firstRole, 1);
    await ready(first);
    const rest: NodeSlot[] = [];
    for (const [role, count] of plan)
      for (let i = role === firstRole ? 2 : 1; i <= count; i++) rest.push(await addNode(role, i));
    await Promise.all(rest.map(ready));
  } catch (error) {
    await killAll();
    await database?.drop();
    throw error;
  }

  const adminUrl = slots[0]?.adminUrl;
  if (adminUrl === undefined) throw new Error("no admin node");

  const view = (slot: NodeSlot): ClusterNode => ({
    name: slot.name,
    role: slot.role,
    adminUrl: slot.adminUrl,
    gatewayUrl: slot.gatewayUrl,
    authzUrl: slot.authzUrl,
    metricsUrl: slot.metricsUrl,
    get process() {
      return slot.process;
    },
    get pid() {
      return slot.process.pid;
    },
    output: () => slot.history.map((proc) => proc.output()).join("\n--- restarted ---\n"),
    running: () => isRunning(slot.process),
  });
  const nodes = slots.map(view);
  const slotOf = (node: ClusterNode): NodeSlot => {
    const slot = slots.find((s) => s.name === node.name);
    if (slot === undefined) throw new Error(`${node.name} is not a node of this cluster`);
    return slot;
  };

  const admin = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const liveNodes = async () => {
    const res = await admin<{ data: LiveNode[] }>("GET", "/v1/nodes");
    if (res.status !== 200) throw new Error(`GET /v1/nodes answered ${res.status}`);
    return res.body.data;
  };

  return {
    nodes,
    gateways: nodes.filter((node) => node.gatewayUrl !== undefined),
    adminUrl,
    adminToken,
    upstreamUrl,
    databaseUrl,
    redisUrl,
    redisPrefix,
    admin,
    liveNodes,
    async waitForRegistry(expected = nodes.filter((node) => node.running()), timeoutMs = 15_000) {
      const want = expected.map((node) => node.pid).sort((a, b) => a - b);
      const deadline = Date.now() + timeoutMs;
      let seen: LiveNode[] = [];
      for (;;) {
        seen = await liveNodes().catch(() => []);
        const pids = seen.filter((n) => n.busConnected).map((n) => n.pid);
        if (pids.length === seen.length && pids.sort((a, b) => a - b).join() === want.join()) return;
        if (Date.now() > deadline)
          throw new Error(`registry never matched pids ${want.join()}: ${JSON.stringify(seen)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    kill: (node) => slotOf(node).process.kill(),
    stopNode: (node) => slotOf(node).process.stop(5000),
    async restart(node) {
      const slot = slotOf(node);
      if (isRunning(slot.process)) throw new Error(`${node.name} is still running: kill or stop it first`);
      slot.process = spawnNode(slot);
      slot.history.push(slot.process);
      try {
        await ready(slot);
      } catch (error) {
        await slot.process.kill();
        throw error;
      }
    },
    async stop() {
      await killAll();
      await deleteRedisKeys(redisUrl, redisPrefix);
      await database?.drop();
    },
  };
}
