import {
  commandOn,
  freeRedisPort,
  type RedisProcess,
  redisCli,
  scratchDir,
  startRedisProcess,
  until,
} from "./redis-processes.ts";

/** A node of the test cluster as CLUSTER NODES describes it now. */
export interface ClusterNodeState {
  readonly port: number;
  readonly id: string;
  readonly role: "master" | "replica";
  /** For a replica: the id of its primary. */
  readonly masterId: string | undefined;
  readonly failed: boolean;
}

/**
 * A real Redis Cluster on loopback: `masters` primaries (3 by default), each
 * with `replicas` replicas, made with `redis-cli --cluster create`. No Docker,
 * no persistence; `close()` ends every process by PID. A short
 * `cluster-node-timeout` (1 s) keeps failovers after a crash quick.
 */
export class OwnRedisCluster {
  readonly #processes: RedisProcess[];
  readonly #dir: { path: string; remove(): void };

  private constructor(processes: RedisProcess[], dir: { path: string; remove(): void }) {
    this.#processes = processes;
    this.#dir = dir;
  }

  static async start(
    options: { masters?: number; replicas?: 0 | 1; nodeTimeoutMs?: number } = {},
  ): Promise<OwnRedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicas ?? 0;
    const dir = scratchDir("redis-cluster");
    const processes: RedisProcess[] = [];
    const cluster = new OwnRedisCluster(processes, dir);
    try {
      for (let i = 0; i < masters * (1 + replicas); i++) {
        const port = await freeRedisPort(true);
        processes.push(
          await startRedisProcess(port, [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            `${dir.path}/nodes-${port}.conf`,
            "--cluster-node-timeout",
            String(options.nodeTimeoutMs ?? 1000),
            "--dir",
            dir.path,
            "--save",
            "",
            "--appendonly",
            "no",
          ]),
        );
      }
      await redisCli(
        [
          "--cluster",
          "create",
          ...processes.map((p) => `127.0.0.1:${p.port}`),
          "--cluster-replicas",
          String(replicas),
          "--cluster-yes",
        ],
        60_000,
      );
      await cluster.waitHealthy();
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  /** `redis+cluster://` with every node as a seed. */
  get url(): string {
    return `redis+cluster://${this.#processes.map((p) => `127.0.0.1:${p.port}`).join(",")}`;
  }

  get ports(): number[] {
    return this.#processes.map((p) => p.port);
  }

  process(port: number): RedisProcess | undefined {
    return this.#processes.find((p) => p.port === port);
  }

  /** CLUSTER NODES as seen from a live node. */
  async nodes(): Promise<ClusterNodeState[]> {
    for (const p of this.#processes) {
      if (!p.running()) continue;
      const text = String(await commandOn(p.port, "CLUSTER", "NODES").catch(() => ""));
      if (text === "") continue;
      return text
        .trim()
        .split("\n")
        .map((line) => {
          const [id = "", address = "", flags = "", masterId = "-"] = line.split(" ");
          const port = Number(address.split("@")[0]?.split(":")[1]);
          return {
            port,
            id,
            role: flags.includes("master") ? "master" : "replica",
            masterId: masterId === "-" ? undefined : masterId,
            // `fail?` is one node's suspicion; `fail` is the cluster's verdict.
            failed: flags.split(",").includes("fail"),
          };
        });
    }
    throw new Error("no cluster node answers");
  }

  /** The port of the primary that owns `key`'s slot now. */
  async masterPortOf(key: string): Promise<number> {
    const live = this.#processes.find((p) => p.running());
    if (live === undefined) throw new Error("no cluster node running");
    const slot = Number(await commandOn(live.port, "CLUSTER", "KEYSLOT", key));
    const slots = (await commandOn(live.port, "CLUSTER", "SLOTS")) as Array<
      [number, number, [string, number, ...unknown[]]]
    >;
    for (const [from, to, master] of slots) if (slot >= from && slot <= to) return Number(master[1]);
    throw new Error(`no owner for slot ${slot}`);
  }

  /** The port of a replica of the primary on `masterPort`. */
  async replicaPortOf(masterPort: number): Promise<number> {
    const nodes = await this.nodes();
    const master = nodes.find((n) => n.port === masterPort);
    const replica = nodes.find((n) => n.role === "replica" && n.masterId === master?.id && !n.failed);
    if (replica === undefined) throw new Error(`no replica of ${masterPort}`);
    return replica.port;
  }

  /** Every slot served and every node agreeing (`cluster_state:ok` on each running node). */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await until(
      "the cluster to be ok on every node",
      async () => {
        for (const p of this.#processes) {
          if (!p.running()) continue;
          const info = String(await commandOn(p.port, "CLUSTER", "INFO"));
          if (!info.includes("cluster_state:ok")) return false;
        }
        return true;
      },
      timeoutMs,
    );
  }

  /**
   * Manual failover: the replica of `masterPort` takes over after catching up
   * with it (no write lost; `CLUSTER FAILOVER` without FORCE). Resolves once
   * the replica is primary and the cluster is ok.
   */
  async failover(masterPort: number): Promise<number> {
    const replicaPort = await this.replicaPortOf(masterPort);
    await commandOn(replicaPort, "CLUSTER", "FAILOVER");
    await until("the replica to become primary", async () =>
      (await this.nodes()).some((n) => n.port === replicaPort && n.role === "master"),
    );
    await this.waitHealthy();
    return replicaPort;
  }

  /** SIGKILL to the primary on `masterPort`; resolves once its replica was promoted and the cluster is ok. */
  async crashMaster(masterPort: number): Promise<number> {
    const replicaPort = await this.replicaPortOf(masterPort);
    await this.process(masterPort)?.kill();
    await until(
      "the replica to be promoted",
      async () => (await this.nodes()).some((n) => n.port === replicaPort && n.role === "master"),
      30_000,
    );
    await this.waitHealthy();
    return replicaPort;
  }

  /** Ends every process by PID and removes the scratch directory. */
  async close(): Promise<void> {
    for (const p of this.#processes) await p.kill();
    this.#dir.remove();
  }
}
