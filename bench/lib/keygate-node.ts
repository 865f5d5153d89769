import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A `keygate start` process tree (the real CLI), on a SQLite file of its own. */
export interface KeygateNode {
  readonly adminUrl: string;
  readonly gatewayPort: number;
  readonly adminToken: string;
  /** The process `keygate start` runs as (the primary under `--workers`). */
  readonly pid: number;
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The worker processes (from `GET /v1/nodes`), empty for one process. */
  workerPids(): Promise<number[]>;
  /** SIGTERM (the primary drains its workers), SIGKILL after 20 s; removes the data directory. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`keygate exited early (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

/** `keygate_workers{state="ready"}` from the admin port's `/metrics` (0 when absent). */
async function readyWorkers(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('keygate_workers{state="ready"} '));
  return Number(line?.split(" ")[1] ?? 0);
}

/**
 * Starts `keygate start` with `KEYGATE_WORKERS=workers` in front of
 * `upstream`, under `taskset -c cpus` when given (its workers inherit the
 * affinity), logging warnings only (logging would be measured too). Resolves
 * once the admin port and every worker are ready.
 */
export async function startKeygateNode(options: {
  readonly workers: number;
  readonly upstream: string;
  readonly cpus?: string | undefined;
}): Promise<KeygateNode> {
  const dataDir = mkdtempSync(join(tmpdir(), "keygate-bench-"));
  const [adminPort, gatewayPort, portalPort, authzPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const adminToken = `kga_bench_${randomBytes(16).toString("hex")}`;
  const node = [process.execPath, "--import", "tsx", "packages/server/bin/keygate.js", "start"];
  const [command, ...args] = options.cpus === undefined ? node : ["taskset", "-c", options.cpus, ...node];
  const child = spawn(command ?? process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      KEYGATE_WORKERS: String(options.workers),
      KEYGATE_ADMIN_PORT: String(adminPort),
      KEYGATE_GATEWAY_PORT: String(gatewayPort),
      KEYGATE_PORTAL_PORT: String(portalPort),
      KEYGATE_AUTHZ_PORT: String(authzPort),
      KEYGATE_HOST: "127.0.0.1",
      KEYGATE_UPSTREAM: options.upstream,
      KEYGATE_DATABASE_URL: `sqlite:${join(dataDir, "keygate.db")}`,
      KEYGATE_ADMIN_TOKEN: adminToken,
      KEYGATE_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const pid = child.pid;
  if (pid === undefined) throw new Error("keygate did not start");
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const workerPids = async () =>
    (await admin<{ data: Array<{ pid: number }> }>("GET", "/v1/nodes")).data
      .map((n) => n.pid)
      .filter((p) => p !== pid);
  try {
    await waitFor(`${adminUrl}/readyz`, child);
    await waitFor(`http://127.0.0.1:${gatewayPort}/readyz`, child);
    const deadline = Date.now() + 60_000;
    while (options.workers > 1 && (await readyWorkers(adminUrl)) < options.workers) {
      if (Date.now() > deadline) throw new Error("workers not ready");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    adminUrl,
    gatewayPort,
    adminToken,
    pid,
    admin,
    workerPids,
    async stop() {
      process.off("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
