import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";
import { type RunningProcess, spawnProcess, waitForHttp } from "./spawn-process.ts";

export interface StackOptions {
  readonly databaseUrl?: string;
  readonly configFile?: string;
  readonly env?: Record<string, string>;
}

/** The market-data upstream and one `keygate start` node, as real processes on loopback. */
export interface KeygateStack {
  readonly adminUrl: string;
  readonly gatewayUrl: string;
  /** Forward auth (`KEYGATE_AUTHZ_PORT`) of the node. */
  readonly authzUrl: string;
  /** The consumer portal (pages and `/portal/v1`). */
  readonly portalUrl: string;
  readonly upstreamUrl: string;
  readonly adminToken: string;
  /** The current keygate process (a new one after `startNode`). */
  readonly node: RunningProcess;
  readonly upstream: RunningProcess;
  readonly dataDir: string;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** SIGTERM to the keygate node (graceful), leaving the upstream and the data directory as they are. */
  stopNode(): Promise<void>;
  /** Starts a new keygate node with the same environment, ports and database; resolves when it is ready. */
  startNode(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<KeygateStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "keygate-e2e-"));
  const [upstreamPort, adminPort, gatewayPort, portalPort, authzPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const portalUrl = `http://127.0.0.1:${portalPort}`;
  const upstream = spawnProcess(["examples/market-data/src/main.ts"], { PORT: String(upstreamPort) });
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  // At least 32 characters (KEYGATE_ADMIN_TOKEN's minimum).
  const adminToken = `kga_e2e_${randomBytes(16).toString("hex")}`;
  const nodeEnv = {
    KEYGATE_ADMIN_PORT: String(adminPort),
    KEYGATE_GATEWAY_PORT: String(gatewayPort),
    KEYGATE_PORTAL_PORT: String(portalPort),
    KEYGATE_AUTHZ_PORT: String(authzPort),
    KEYGATE_PORTAL_URL: portalUrl,
    KEYGATE_HOST: "127.0.0.1",
    KEYGATE_UPSTREAM: upstreamUrl,
    KEYGATE_DATABASE_URL: options.databaseUrl ?? `sqlite:${join(dataDir, "keygate.db")}`,
    KEYGATE_ADMIN_TOKEN: adminToken,
    KEYGATE_LOG_LEVEL: "info",
    ...(options.configFile ? { KEYGATE_CONFIG: options.configFile } : {}),
    ...options.env,
  };
  const spawnNode = () => spawnProcess(["packages/server/bin/keygate.js", "start"], nodeEnv);
  let node = spawnNode();
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const authzUrl = `http://127.0.0.1:${authzPort}`;
  const nodeReady = async () => {
    await waitForHttp(`${adminUrl}/readyz`, node);
    await waitForHttp(`${gatewayUrl}/readyz`, node);
    await waitForHttp(`${authzUrl}/readyz`, node);
    await waitForHttp(`${portalUrl}/readyz`, node);
  };
  try {
    await waitForHttp(`${upstreamUrl}/v2/trader-grades?symbol=ETH`, upstream);
    await nodeReady();
  } catch (error) {
    await Promise.all([node.kill(), upstream.kill()]);
    throw error;
  }
  return {
    adminUrl,
    gatewayUrl,
    authzUrl,
    portalUrl,
    upstreamUrl,
    adminToken,
    get node() {
      return node;
    },
    upstream,
    dataDir,
    async admin<T>(method: string, path: string, body?: unknown) {
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
    },
    async stopNode() {
      await node.stop();
    },
    async startNode() {
      if (node.child.exitCode === null && node.child.signalCode === null) {
        throw new Error("the keygate node is still running: stopNode() first");
      }
      node = spawnNode();
      try {
        await nodeReady();
      } catch (error) {
        await node.kill();
        throw error;
      }
    },
    async stop() {
      await Promise.all([node.stop(), upstream.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
