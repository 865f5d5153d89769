import {
  commandOn,
  freeRedisPort,
  type RedisProcess,
  scratchDir,
  startRedisProcess,
  until,
  writeConfig,
} from "./redis-processes.ts";

export const SENTINEL_MASTER_NAME = "kgmaster";

/**
 * A real Sentinel setup on loopback: one primary, one replica and three
 * Sentinels (quorum 2), all from the redis-server binary (`--sentinel`).
 * `down-after-milliseconds` is 1000 so a crashed primary is replaced within
 * a few seconds. No persistence; `close()` ends every process by PID.
 */
export class OwnRedisSentinel {
  readonly #data: RedisProcess[];
  readonly #sentinels: RedisProcess[];
  readonly #dir: { path: string; remove(): void };

  private constructor(
    data: RedisProcess[],
    sentinels: RedisProcess[],
    dir: { path: string; remove(): void },
  ) {
    this.#data = data;
    this.#sentinels = sentinels;
    this.#dir = dir;
  }

  static async start(): Promise<OwnRedisSentinel> {
    const dir = scratchDir("redis-sentinel");
    const data: RedisProcess[] = [];
    const sentinels: RedisProcess[] = [];
    const setup = new OwnRedisSentinel(data, sentinels, dir);
    try {
      const base = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.path];
      const masterPort = await freeRedisPort();
      data.push(await startRedisProcess(masterPort, ["--port", String(masterPort), ...base]));
      const replicaPort = await freeRedisPort();
      data.push(
        await startRedisProcess(replicaPort, [
          "--port",
          String(replicaPort),
          ...base,
          "--replicaof",
          "127.0.0.1",
          String(masterPort),
        ]),
      );
      await until("the replica to sync", async () =>
        String(await commandOn(replicaPort, "INFO", "replication")).includes("master_link_status:up"),
      );
      for (let i = 0; i < 3; i++) {
        const port = await freeRedisPort();
        const config = writeConfig(`${dir.path}/sentinel-${port}.conf`, [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir.path}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
        ]);
        sentinels.push(await startRedisProcess(port, [config, "--sentinel"]));
      }
      // A failover needs the Sentinels to know each other (hello messages) and the replica.
      await until("the Sentinels to find each other and the replica", async () => {
        for (const s of sentinels) {
          const peers = (await commandOn(s.port, "SENTINEL", "SENTINELS", SENTINEL_MASTER_NAME)) as unknown[];
          const replicas = (await commandOn(
            s.port,
            "SENTINEL",
            "REPLICAS",
            SENTINEL_MASTER_NAME,
          )) as unknown[];
          if (peers.length < 2 || replicas.length < 1) return false;
        }
        return true;
      });
      return setup;
    } catch (error) {
      await setup.close();
      throw error;
    }
  }

  get url(): string {
    return `redis+sentinel://${this.#sentinels.map((s) => `127.0.0.1:${s.port}`).join(",")}/${SENTINEL_MASTER_NAME}`;
  }

  /** The data nodes' ports (primary first at start). */
  get dataPorts(): number[] {
    return this.#data.map((p) => p.port);
  }

  /** The primary's port as the first answering Sentinel names it. */
  async masterPort(): Promise<number> {
    for (const s of this.#sentinels) {
      if (!s.running()) continue;
      const reply = (await commandOn(
        s.port,
        "SENTINEL",
        "GET-MASTER-ADDR-BY-NAME",
        SENTINEL_MASTER_NAME,
      ).catch(() => null)) as [string, string] | null;
      if (reply !== null) return Number(reply[1]);
    }
    throw new Error("no Sentinel answers");
  }

  /** Graceful: `SENTINEL FAILOVER` (the replica is promoted, the old primary follows it). Resolves with the new primary's port. */
  async failover(): Promise<number> {
    const before = await this.masterPort();
    const sentinel = this.#sentinels[0];
    if (sentinel === undefined) throw new Error("no Sentinel");
    await commandOn(sentinel.port, "SENTINEL", "FAILOVER", SENTINEL_MASTER_NAME);
    return this.#waitForNewMaster(before);
  }

  /** SIGKILL to the primary; resolves with the promoted replica's port once the Sentinels agree on it. */
  async crashMaster(): Promise<number> {
    const before = await this.masterPort();
    await this.#data.find((p) => p.port === before)?.kill();
    return this.#waitForNewMaster(before);
  }

  async #waitForNewMaster(before: number): Promise<number> {
    let after = before;
    await until(
      "every Sentinel to name a new primary that accepts writes",
      async () => {
        const named = new Set<number>();
        for (const s of this.#sentinels) {
          const reply = (await commandOn(
            s.port,
            "SENTINEL",
            "GET-MASTER-ADDR-BY-NAME",
            SENTINEL_MASTER_NAME,
          )) as [string, string];
          named.add(Number(reply[1]));
        }
        const [port] = [...named];
        if (named.size !== 1 || port === undefined || port === before) return false;
        after = port;
        return String(await commandOn(port, "ROLE")).startsWith("master");
      },
      30_000,
    );
    return after;
  }

  async close(): Promise<void> {
    for (const p of [...this.#sentinels, ...this.#data]) await p.kill();
    this.#dir.remove();
  }
}
