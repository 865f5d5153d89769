/**
 * Issue 16, one node on every core: `keygate start` with KEYGATE_WORKERS=2 on
 * SQLite without Redis (a primary serving admin and portal, two workers
 * sharing the gateway and forward-auth ports), as real processes on loopback.
 * Counters are the primary's, leased to the workers over IPC; changes go
 * through the primary and are acknowledged by each worker.
 */
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { awayFromBoundary, windowEnd } from "./support/limits-window.ts";
import { metricValue, type Propagation } from "./support/node-probes.ts";
import { runRotationLoad } from "./support/rotation-load.ts";
import { startLoad } from "./support/steady-load.ts";
import { bothWorkersReady, connectionsHeldBy } from "./support/worker-sockets.ts";

interface NodeView {
  id: string;
  role: string;
  pid: number;
  lastChangeId: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with `pid` exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("keygate start with 2 workers on SQLite (no Redis)", () => {
  let stack: KeygateStack;

  const workers = async (): Promise<NodeView[]> => {
    const res = await stack.admin<{ data: NodeView[] }>("GET", "/v1/nodes");
    expect(res.status).toBe(200);
    return res.body.data.filter((node) => node.pid !== stack.node.pid);
  };
  const newConsumerKey = async (name: string, plan?: string) => {
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name, plan });
    expect(consumer.status).toBe(201);
    const key = await stack.admin<{ key: { id: string }; secret: string }>(
      "POST",
      `/v1/consumers/${consumer.body.id}/keys`,
      { name: "main" },
    );
    expect(key.status).toBe(201);
    return { consumerId: consumer.body.id, keyId: key.body.key.id, secret: key.body.secret };
  };
  /** One request on `client` (a connection of its own): "OK" or "<status> <problem code>". */
  const answerOn = async (client: Client, secret: string): Promise<string> => {
    const res = await client.request({
      method: "GET",
      path: "/v2/trader-grades?symbol=ETH",
      headers: { "x-api-key": secret },
    });
    const text = await res.body.text();
    return res.statusCode === 200
      ? "OK"
      : `${res.statusCode} ${(JSON.parse(text) as { code?: string }).code}`;
  };
  /**
   * Clients the primary handed to the workers, 4 each (round-robin), proven
   * from /proc: the test is only worth something if both workers served.
   */
  const gatewayPort = () => Number(new URL(stack.gatewayUrl).port);
  /** Waits until no earlier connection (a closed client, a keep-alive probe) is still held by a worker. */
  const noConnectionsHeld = async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const held = (await workers()).map((worker) => connectionsHeldBy(worker.pid, gatewayPort()) ?? 0);
      if (held.every((count) => count === 0) || Date.now() > deadline) return;
      await sleep(200);
    }
  };
  /**
   * The primary hands each new connection to a free worker (round-robin, in
   * the order they acknowledge handoffs, so not strictly alternating): the
   * test is only worth something if both workers hold some of `clients`,
   * proven from /proc.
   */
  const expectSpreadOverWorkers = async (clients: readonly Client[]) => {
    const held = (await workers()).map((worker) => connectionsHeldBy(worker.pid, gatewayPort()));
    if (held.includes(undefined)) return; // not Linux: /proc cannot tell
    expect(held.reduce((sum, count) => (sum ?? 0) + (count ?? 0), 0)).toBe(clients.length);
    for (const count of held) expect(count).toBeGreaterThanOrEqual(1);
  };

  beforeAll(async () => {
    stack = await startStack({ env: { KEYGATE_WORKERS: "2" } });
    // The stack is ready once one worker answers; the other may still be starting.
    await bothWorkersReady(stack);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("runs a primary and two workers; /v1/nodes lists all three", async () => {
    const list = await workers();
    expect(list).toHaveLength(2);
    for (const worker of list) {
      expect(worker.role).toBe("gateway");
      expect(alive(worker.pid)).toBe(true);
    }
    expect(await metricValue(stack.adminUrl, 'keygate_workers{state="ready"}')).toBe(2);
  });

  it("a plan of 100 requests/minute accepts exactly 100 across both workers from 8 concurrent clients", async () => {
    expect(
      (await stack.admin("PUT", "/v1/plans/hundred", { rateLimit: { limit: 100, windowSeconds: 60 } }))
        .status,
    ).toBe(200);
    const { secret, consumerId } = await newConsumerKey("exact", "hundred");
    // All 400 requests in one fixed minute window.
    await awayFromBoundary(windowEnd(60), 20_000);
    const statuses: Record<string, number> = {};
    let sent = 0;
    // 8 clients, one connection each: the primary hands 4 to each worker.
    await noConnectionsHeld();
    const clients = Array.from({ length: 8 }, () => new Client(stack.gatewayUrl));
    await Promise.all(
      clients.map(async (client) => {
        while (sent < 400) {
          sent++;
          const answer = await answerOn(client, secret);
          statuses[answer] = (statuses[answer] ?? 0) + 1;
        }
      }),
    );
    await expectSpreadOverWorkers(clients);
    await Promise.all(clients.map((client) => client.close()));
    expect(statuses).toEqual({ OK: 100, "429 RATE_LIMITED": 300 });
    // The primary's view of the shared counter agrees.
    const usage = await stack.admin<{ rateLimit: { limit: number; remaining: number } }>(
      "GET",
      `/v1/consumers/${consumerId}/usage`,
    );
    expect(usage.body.rateLimit).toMatchObject({ limit: 100, remaining: 0 });
  }, 90_000);

  it("a revoke with ?wait=true is acknowledged by both workers, and both refuse the key", async () => {
    const { keyId, secret } = await newConsumerKey("revoked");
    await noConnectionsHeld();
    const clients = Array.from({ length: 8 }, () => new Client(stack.gatewayUrl));
    try {
      // Cached as valid on both workers: without the change reaching them they would keep answering 200.
      for (const client of clients) expect(await answerOn(client, secret)).toBe("OK");
      await expectSpreadOverWorkers(clients);
      const revoked = await stack.admin<{ propagation: Propagation }>(
        "POST",
        `/v1/keys/${keyId}/revoke?wait=true`,
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.propagation).toMatchObject({ nodes: 3, acknowledged: 3 });
      const changeId = revoked.body.propagation.changeId;
      const list = await workers();
      expect(list.map((worker) => worker.lastChangeId)).toEqual([changeId, changeId]);
      const change = await stack.admin<{ complete: boolean; acknowledged: number }>(
        "GET",
        `/v1/changes/${changeId}`,
      );
      expect(change.body).toMatchObject({ complete: true, acknowledged: 3 });
      for (const client of clients) expect(await answerOn(client, secret)).toBe("401 KEY_REVOKED");
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it("a self-rotation through one worker reaches the other (worker → primary → worker)", async () => {
    const { secret } = await newConsumerKey("self");
    await noConnectionsHeld();
    const clients = Array.from({ length: 8 }, () => new Client(stack.gatewayUrl));
    try {
      for (const client of clients) expect(await answerOn(client, secret)).toBe("OK");
      await expectSpreadOverWorkers(clients);
      const [first] = clients;
      if (first === undefined) throw new Error("no client");
      const rotated = await first.request({
        method: "POST",
        path: "/v1/self/rotate?wait=true",
        headers: { "x-api-key": secret },
      });
      expect(rotated.statusCode).toBe(201);
      const body = (await rotated.body.json()) as { secret: string; propagation: Propagation };
      // The worker asked the primary, which waited for the other worker's acknowledgement.
      expect(body.propagation).toMatchObject({ nodes: 3, acknowledged: 3 });
      const successor = body.secret;
      // Every worker now answers the old key as deprecated (it had it cached as active) and knows the new one.
      for (const client of clients) {
        const res = await client.request({
          method: "GET",
          path: "/v2/trader-grades?symbol=ETH",
          headers: { "x-api-key": secret },
        });
        await res.body.text();
        expect(res.statusCode).toBe(200);
        expect(res.headers.deprecation).toMatch(/^@\d+$/);
        expect(await answerOn(client, successor)).toBe("OK");
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it("20 rotations under load through both workers fail no request made with a valid key", async () => {
    const { summary, wrongly, missingDeprecationHeaders, probes } = await runRotationLoad(stack, {
      url: stack.gatewayUrl,
      rotations: 20,
      rollbackEvery: 5,
    });
    console.log("workers: zero-downtime rotation:", JSON.stringify(summary));
    expect(summary.rollbacks).toBe(4);
    expect(wrongly.slice(0, 5).map((s) => ({ status: s.status, code: s.code, error: s.error }))).toEqual([]);
    expect(missingDeprecationHeaders).toHaveLength(0);
    expect(summary.validOk).toBeGreaterThan(500);
    expect(probes.every((p) => p.status === 401)).toBe(true);
  }, 180_000);

  it("a worker killed with SIGKILL under load is restarted; no request fails once it is back", async () => {
    const { secret } = await newConsumerKey("steady");
    const before = await workers();
    const victim = before[0];
    if (victim === undefined) throw new Error("no worker listed");
    const timeoutMs = 2000;
    const load = startLoad([{ label: "gateway", gatewayUrl: stack.gatewayUrl, secret }], {
      concurrency: 8,
      timeoutMs,
      maxDurationMs: 30_000,
    });
    await sleep(1000);
    const killedAt = Date.now();
    process.kill(victim.pid, "SIGKILL");
    // Back: two workers again, one of them a new process.
    let after: NodeView[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      after = await workers();
      if (after.length === 2 && !after.some((worker) => worker.pid === victim.pid)) break;
      await sleep(100);
    }
    expect(after).toHaveLength(2);
    await bothWorkersReady(stack);
    const backAt = Date.now();
    expect(after.some((worker) => worker.pid === victim.pid)).toBe(false);
    // A request sent to the killed worker before it was back fails by now (at the latest by its timeout).
    await sleep(timeoutMs + 500);
    const settled = load.snapshot().byTarget.gateway;
    await sleep(3000);
    const report = await load.stop();
    const target = report.byTarget.gateway;
    if (target === undefined || settled === undefined) throw new Error("no load report");
    // Only requests in flight on the killed worker failed: connections it held were reset, a connection
    // the primary was handing to it as it died hangs until the client's timeout. Nothing after that.
    for (const reason of Object.keys(target.failures))
      expect([
        "ECONNRESET",
        "UND_ERR_SOCKET",
        "EPIPE",
        "UND_ERR_CLOSED",
        "UND_ERR_HEADERS_TIMEOUT",
      ]).toContain(reason);
    expect(target.failed).toBe(settled.failed);
    expect(target.firstFailureAt ?? killedAt).toBeGreaterThanOrEqual(killedAt - 50);
    expect(target.ok - settled.ok).toBeGreaterThan(100);
    expect(await metricValue(stack.adminUrl, "keygate_worker_restarts_total")).toBe(1);
    console.log(
      `workers: SIGKILL of worker ${victim.pid}: back after ${backAt - killedAt} ms; ` +
        `${target.ok} ok, failures ${JSON.stringify(target.failures)}`,
    );
  }, 60_000);

  it("/metrics on the admin port adds up the workers' counters", async () => {
    const text = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    // The gateway's counters exist only in the workers: the primary serves no gateway port.
    expect(text).toMatch(/^keygate_limits_decisions_total\{result="RATE_LIMITED"\} [1-9]/m);
    expect(text).toContain("keygate_bus_connected 1");
    // Every family once, even though three processes report it.
    const types = text.split("\n").filter((line) => line.startsWith("# TYPE process_cpu_seconds_total "));
    expect(types).toHaveLength(1);
  });

  it("SIGTERM drains the workers and the primary exits cleanly", async () => {
    const pids = (await workers()).map((worker) => worker.pid);
    expect(pids).toHaveLength(2);
    await stack.stopNode();
    expect(stack.node.child.exitCode).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(stack.node.output()).toMatch(/"process":"worker-1".*"msg":"worker draining"/);
    expect(stack.node.output()).not.toMatch(/"level":(50|60)/);
  }, 30_000);
});
