import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  postgresReachable,
  requireServiceInCi,
  skipSuite,
} from "../packages/server/test/support/postgres.ts";
import { type ClusterNode, type KeygateCluster, startCluster } from "./support/cluster.ts";
import { sharedCount, waitForSharedCount } from "./support/limits-counters.ts";
import { awayFromBoundary, windowEnd } from "./support/limits-window.ts";
import { OwnRedis, redisServerInstalled } from "./support/own-redis.ts";

/**
 * Limits while Redis is away, on real processes (1 admin + 3 gateways on
 * PostgreSQL and a private redis-server): no request fails, every gateway
 * says it is degraded (gauge and one log line), and when Redis is back each
 * adds what it spent locally to the shared counter.
 */

const DAY = 86_400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(node: ClusterNode | undefined, secret: string): Promise<number> {
  const res = await fetch(`${node?.gatewayUrl}/v2/trader-grades?symbol=ETH`, {
    headers: { "x-api-key": secret },
  });
  await res.arrayBuffer();
  return res.status;
}

async function degraded(node: ClusterNode): Promise<number> {
  const text = await (await fetch(`${node.metricsUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("keygate_limits_degraded "));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

const problems = [
  ...(redisServerInstalled() ? [] : ["redis-server (binary)"]),
  ...((await postgresReachable()) ? [] : ["PostgreSQL"]),
];

if (problems.length > 0) {
  skipSuite(requireServiceInCi(problems.join(" and ")));
} else {
  describe("limits through a Redis outage (1 admin + 3 gateways, private redis-server)", () => {
    let redis: OwnRedis;
    let cluster: KeygateCluster;

    beforeAll(async () => {
      await awayFromBoundary(windowEnd(DAY));
      redis = await OwnRedis.start();
      cluster = await startCluster({ gateways: 3, admins: 1, redisUrl: redis.url, label: "limits_outage" });
      await cluster.waitForRegistry();
    }, 240_000);
    afterAll(async () => {
      await cluster?.stop();
      await redis?.close();
    });

    it("serves every request on local counters while Redis is stopped, then re-syncs what was spent", async () => {
      expect(
        (
          await cluster.admin("PUT", "/v1/plans/outage?wait=true", {
            rateLimit: { limit: 1000, windowSeconds: DAY },
          })
        ).status,
      ).toBe(200);
      const consumer = await cluster.admin<{ id: string }>("POST", "/v1/consumers", {
        name: "o",
        plan: "outage",
      });
      const key = await cluster.admin<{ secret: string }>(
        "POST",
        `/v1/consumers/${consumer.body.id}/keys?wait=true`,
        { name: "main" },
      );
      // 202: created, but not every node acknowledged within the wait (a loaded machine).
      expect([201, 202], JSON.stringify(key.body)).toContain(key.status);
      const { secret } = key.body;
      for (let i = 0; i < 30; i++) expect(await status(cluster.gateways[i % 3], secret)).toBe(200);
      for (const gateway of cluster.gateways) expect(await degraded(gateway)).toBe(0);
      // Idle leases go back after a second: from here on a request needs Redis (or the local counters).
      await waitForSharedCount(() => sharedCount(redis.url, cluster.redisPrefix, consumer.body.id, DAY), 30);

      await redis.stop();
      // 60 requests spread over the gateways, during the outage: none fails (each node has its share of 970).
      for (let i = 0; i < 60; i++) expect(await status(cluster.gateways[i % 3], secret)).toBe(200);
      await waitFor("every gateway to report degraded limits", async () =>
        (await Promise.all(cluster.gateways.map(degraded))).every((value) => value === 1),
      );
      await sleep(2500);
      for (const gateway of cluster.gateways) {
        expect(count(gateway.output(), "limits degraded"), gateway.name).toBe(1);
      }

      // Redis comes back empty (no persistence): the gateways add what they spent locally, nothing else.
      await redis.start();
      await waitFor("every gateway to leave degraded mode", async () =>
        (await Promise.all(cluster.gateways.map(degraded))).every((value) => value === 0),
      );
      for (const gateway of cluster.gateways) expect(gateway.output()).toContain("limits restored");
      expect(await sharedCount(redis.url, cluster.redisPrefix, consumer.body.id, DAY)).toBe(60);
      for (let i = 0; i < 6; i++) expect(await status(cluster.gateways[i % 3], secret)).toBe(200);
    });
  });
}
