import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";

/** The Redis the cluster tests use: `KEYGATE_TEST_REDIS_URL`, else the local default. Shared: tests only touch their own prefix. */
export const TEST_REDIS_URL = process.env.KEYGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A raw connection for a test to inspect or disturb Redis with. */
export function rawRedis(url = TEST_REDIS_URL): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const redis = rawRedis(url);
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

/** A fresh key prefix, so tests running in parallel (and other users of the shared Redis) never meet. */
export function testPrefix(label: string): string {
  return `kgtest:${label}:${process.pid}:${randomBytes(4).toString("hex")}:`;
}

/** Deletes every key under `prefix` (SCAN, never FLUSHALL: the server is shared). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Polls `predicate` every 10 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await delay(10);
  }
}

/** A private redis-server child process (no persistence) the test may kill and restart on the same port. */
export class OwnRedisServer {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async restart(): Promise<void> {
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    this.#child = child;
    await waitUntil("own redis-server to answer", () => redisReachable(this.url), 10_000);
  }

  /** SIGKILL: the server vanishes as in a crash, every client connection drops. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid, "SIGKILL");
    await exited;
    this.#child = undefined;
  }
}

/**
 * A TCP relay in front of Redis that the test can cut (every connection
 * through it drops and new ones are refused at once) and restore: a network
 * partition of one node, deterministic, without touching the shared server.
 */
export class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(targetPort: number, targetHost = "127.0.0.1"): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on("connection", (client) => proxy.#relay(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("proxy not listening");
    return `redis://127.0.0.1:${address.port}`;
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: Socket, host: string, port: number): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(port, host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** A logger that keeps every line, for assertions on what the bus reported. */
export function recordingLogger() {
  const lines: Array<{ level: "info" | "warn" | "error"; obj: object; msg: string | undefined }> = [];
  return {
    lines,
    info: (obj: object, msg?: string) => void lines.push({ level: "info", obj, msg }),
    warn: (obj: object, msg?: string) => void lines.push({ level: "warn", obj, msg }),
    error: (obj: object, msg?: string) => void lines.push({ level: "error", obj, msg }),
  };
}
