import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";

/**
 * Private redis-server processes for the topology tests (Cluster, Sentinel):
 * loopback only, no persistence, each ended by its PID. Every process started
 * here is also SIGKILLed if the test process exits without closing it.
 */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) if (child.pid !== undefined && child.exitCode === null) child.kill("SIGKILL");
});

/** Whether `redis-server` and `redis-cli` (which makes the Cluster) are on the PATH. */
export function redisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    execFileSync("redis-cli", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** One redis-server (data node or Sentinel) started by a test. */
export interface RedisProcess {
  readonly port: number;
  readonly pid: number;
  output(): string;
  running(): boolean;
  /** SIGKILL (a crash); resolves when it has exited. */
  kill(): Promise<void>;
}

/** A scratch directory for nodes.conf and sentinel configs; removed by the returned function. */
export function scratchDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `keygate-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port. With `busPort`, port + 10000 (the Cluster bus port
 * redis-server derives) must be free too.
 */
export async function freeRedisPort(busPort = false): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (!(await portFree(port))) continue;
    if (busPort && !(await portFree(port + 10_000))) continue;
    return port;
  }
  throw new Error("no free port for redis-server");
}

/** Starts `redis-server <args…>` and resolves once it answers PING on `port`. */
export async function startRedisProcess(port: number, args: readonly string[]): Promise<RedisProcess> {
  const child = spawn("redis-server", [...args], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => running.delete(child));
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start redis-server");
  const proc: RedisProcess = {
    port,
    pid,
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (!proc.running()) return;
      process.kill(pid, "SIGKILL");
      await exited;
    },
  };
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (!proc.running()) throw new Error(`redis-server on ${port} exited:\n${output}`);
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`redis-server on ${port} did not answer:\n${output}`);
    }
    await delay(50);
  }
  return proc;
}

/** A plain connection to one process (never a cluster client): for setup and inspection. */
export function directConnection(port: number): Redis {
  const redis = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
  });
  redis.on("error", () => undefined);
  return redis;
}

async function answersPing(port: number): Promise<boolean> {
  const redis = directConnection(port);
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Runs one command on one process and disconnects. */
export async function commandOn(
  port: number,
  command: string,
  ...args: Array<string | number>
): Promise<unknown> {
  const redis = directConnection(port);
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** `redis-cli` with arguments; rejects with its output on failure. Bounded by `timeoutMs`. */
export function redisCli(args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("redis-cli", [...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error !== null)
        reject(new Error(`redis-cli ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A config file (Sentinel rewrites its own, so it must be a writable file). */
export function writeConfig(path: string, lines: readonly string[]): string {
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Polls until `check` holds; throws naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not there yet (a node still starting, a connection refused).
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}
