/**
 * Issue 16: `--workers 2` with KEYGATE_REDIS_URL. Each worker is a node of
 * the cluster (its own Redis bus connection, registry entry and counter
 * leases), so the primary and both workers are listed, acknowledge, and draw
 * from the same Redis counters. A private redis-server, never the shared one.
 */
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServiceInCi, skipSuite } from "../packages/server/test/support/postgres.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { awayFromBoundary, windowEnd } from "./support/limits-window.ts";
import type { Propagation } from "./support/node-probes.ts";
import { OwnRedis, redisServerInstalled } from "./support/own-redis.ts";
import { bothWorkersReady, connectionsHeldBy } from "./support/worker-sockets.ts";

interface NodeView {
  role: string;
  pid: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answerOn(client: Client, secret: string): Promise<string> {
  const res = await client.request({
    method: "GET",
    path: "/v2/trader-grades?symbol=ETH",
    headers: { "x-api-key": secret },
  });
  const text = await res.body.text();
  return res.statusCode === 200 ? "OK" : `${res.statusCode} ${(JSON.parse(text) as { code?: string }).code}`;
}

if (!redisServerInstalled()) {
  skipSuite(requireServiceInCi("redis-server binary"));
} else {
  describe("keygate start with 2 workers and Redis: every worker is a cluster node", () => {
    let redis: OwnRedis;
    let stack: KeygateStack;

    const nodes = async (): Promise<NodeView[]> =>
      (await stack.admin<{ data: NodeView[] }>("GET", "/v1/nodes")).body.data;
    const workerPids = async () =>
      (await nodes()).map((node) => node.pid).filter((pid) => pid !== stack.node.pid);

    beforeAll(async () => {
      redis = await OwnRedis.start();
      stack = await startStack({
        env: { KEYGATE_WORKERS: "2", KEYGATE_REDIS_URL: redis.url, KEYGATE_REDIS_PREFIX: "kg-workers:" },
      });
      await bothWorkersReady(stack);
      const deadline = Date.now() + 30_000;
      while ((await nodes()).length < 3 && Date.now() < deadline) await sleep(200);
    }, 120_000);
    afterAll(async () => {
      await stack?.stop();
      await redis?.close();
    });

    it("registers the primary and each worker in the Redis registry", async () => {
      const list = await nodes();
      expect(list).toHaveLength(3);
      expect(new Set(list.map((node) => node.pid)).size).toBe(3);
      expect(list.some((node) => node.pid === stack.node.pid)).toBe(true);
    });

    it("a revoke is acknowledged by all three and refused on connections held by both workers", async () => {
      const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: "r" });
      const key = await stack.admin<{ key: { id: string }; secret: string }>(
        "POST",
        `/v1/consumers/${consumer.body.id}/keys`,
        { name: "main" },
      );
      const clients = Array.from({ length: 8 }, () => new Client(stack.gatewayUrl));
      try {
        for (const client of clients) expect(await answerOn(client, key.body.secret)).toBe("OK");
        const port = Number(new URL(stack.gatewayUrl).port);
        const held = (await workerPids()).map((pid) => connectionsHeldBy(pid, port));
        if (!held.includes(undefined)) for (const count of held) expect(count).toBeGreaterThanOrEqual(1);
        const revoked = await stack.admin<{ propagation: Propagation }>(
          "POST",
          `/v1/keys/${key.body.key.id}/revoke?wait=true`,
        );
        expect(revoked.status).toBe(200);
        expect(revoked.body.propagation).toMatchObject({ nodes: 3, acknowledged: 3 });
        for (const client of clients) expect(await answerOn(client, key.body.secret)).toBe("401 KEY_REVOKED");
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
    });

    it("a plan of 100 requests/minute accepts exactly 100 across the workers (Redis counters)", async () => {
      expect(
        (await stack.admin("PUT", "/v1/plans/hundred", { rateLimit: { limit: 100, windowSeconds: 60 } }))
          .status,
      ).toBe(200);
      const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", {
        name: "x",
        plan: "hundred",
      });
      const key = await stack.admin<{ secret: string }>("POST", `/v1/consumers/${consumer.body.id}/keys`, {
        name: "main",
      });
      await awayFromBoundary(windowEnd(60), 20_000);
      const statuses: Record<string, number> = {};
      let sent = 0;
      const clients = Array.from({ length: 8 }, () => new Client(stack.gatewayUrl));
      await Promise.all(
        clients.map(async (client) => {
          while (sent < 400) {
            sent++;
            const answer = await answerOn(client, key.body.secret);
            statuses[answer] = (statuses[answer] ?? 0) + 1;
          }
        }),
      );
      await Promise.all(clients.map((client) => client.close()));
      expect(statuses).toEqual({ OK: 100, "429 RATE_LIMITED": 300 });
    }, 90_000);
  });
}
