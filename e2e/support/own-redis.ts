import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./free-port.ts";

/** Whether the `redis-server` binary is on the PATH. */
export function redisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500 });
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

/**
 * A private `redis-server` (no persistence) on a free loopback port, for
 * tests that stop and restart Redis: the machine's shared Redis is never
 * touched. `stop()`/`kill()` end it, `start()` brings it back on the SAME
 * port (empty, as a Redis without persistence restarts), `close()` ends it
 * for good. Every process is ended by its PID.
 */
export class OwnRedis {
  readonly port: number;
  #child: ChildProcess | undefined;
  #output = "";

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The running server's PID; undefined while it is stopped. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Its stdout and stderr so far (all starts). */
  output(): string {
    return this.#output;
  }

  /** Starts the server (again) on its port and resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.#child !== undefined) throw new Error("own redis-server is already running");
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const keep = (chunk: Buffer) => {
      this.#output += chunk.toString("utf8");
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.#child = child;
    const deadline = Date.now() + 10_000;
    while (!(await answers(this.url))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${this.#output}`);
      if (Date.now() > deadline)
        throw new Error(`redis-server on ${this.port} did not answer:\n${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM (a clean shutdown: every client connection is closed). */
  stop(): Promise<void> {
    return this.#end("SIGTERM");
  }

  /** SIGKILL: gone as in a crash. */
  kill(): Promise<void> {
    return this.#end("SIGKILL");
  }

  close(): Promise<void> {
    return this.#end("SIGKILL");
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid, signal);
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        process.kill(child.pid, "SIGKILL");
    }, 5000);
    await exited;
    clearTimeout(timer);
  }
}
