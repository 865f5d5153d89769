import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  postgresReachable,
  requireServiceInCi,
  skipSuite,
} from "../packages/server/test/support/postgres.ts";
import { type KeygateCluster, startCluster } from "./support/cluster.ts";
import { gatewayAnswer, metricValue, type Propagation } from "./support/node-probes.ts";
import { OwnRedis, redisServerInstalled } from "./support/own-redis.ts";
import { type LoadReport, startLoad } from "./support/steady-load.ts";

/**
 * Redis stopped and restarted under load, on a private redis-server (the
 * machine's shared Redis is never touched): valid keys keep working on every
 * gateway, a revocation made while Redis is down is honoured within the
 * disconnected cache TTL, and revocations after Redis returns reach every
 * node again, confirmed by `?wait=true`.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function failuresOf(report: LoadReport): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(report.byTarget).map(([label, t]) => [label, t.failures]));
}

const problems = [
  ...(redisServerInstalled() ? [] : ["redis-server (binary)"]),
  ...((await postgresReachable()) ? [] : ["PostgreSQL"]),
];

if (problems.length > 0) {
  skipSuite(requireServiceInCi(problems.join(" and ")));
} else {
  describe("fault: Redis stopped and restarted under load (1 admin + 3 gateways)", () => {
    let redis: OwnRedis;
    let cluster: KeygateCluster;
    let consumerId: string;

    const newKey = async (name: string) => {
      const res = await cluster.admin<{ key: { id: string }; secret: string }>(
        "POST",
        `/v1/consumers/${consumerId}/keys`,
        { name },
      );
      expect(res.status).toBe(201);
      return res.body;
    };
    const warm = async (secret: string) => {
      for (let i = 0; i < 2; i++)
        for (const g of cluster.gateways) expect(await gatewayAnswer(g.gatewayUrl, secret)).toBe("OK");
    };
    const allOutputs = () => cluster.nodes.map((node) => node.output());

    beforeAll(async () => {
      redis = await OwnRedis.start();
      cluster = await startCluster({ gateways: 3, admins: 1, redisUrl: redis.url, label: "faults_redis" });
      consumerId = (await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "acme" })).body.id;
    }, 90_000);
    afterAll(async () => {
      await cluster?.stop();
      await redis?.close();
    });

    it("zero failed requests for valid keys while Redis goes away and comes back; revocations are honoured throughout", async () => {
      const loadKeys = await Promise.all(cluster.gateways.map((g) => newKey(`load-${g.name}`)));
      for (const key of loadKeys) await warm(key.secret);
      const duringOutage = await newKey("revoked-during-outage");
      await warm(duringOutage.secret);

      const load = startLoad(
        cluster.gateways.map((g, i) => ({
          label: g.name,
          gatewayUrl: g.gatewayUrl ?? "",
          secret: loadKeys[i]?.secret ?? "",
        })),
        { maxDurationMs: 60_000 },
      );
      await sleep(1000);

      await redis.stop();
      const stoppedAt = Date.now();
      await waitFor("every node to report the bus lost", () =>
        allOutputs().every((output) => output.includes("change bus lost")),
      );
      // Without Redis the admin node still commits, applies the change itself and queues it for the others;
      // the gateways, cut off, dropped their caches and keep entries for 1 s only, so they refuse it soon.
      const revoked = await cluster.admin<{ propagation: Propagation }>(
        "POST",
        `/v1/keys/${duringOutage.key.id}/revoke`,
        { reason: "during outage" },
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.propagation.acknowledged).toBe(0);
      const revokedAt = Date.now();
      await waitFor(
        "every gateway to refuse the key revoked during the outage",
        async () =>
          (
            await Promise.all(cluster.gateways.map((g) => gatewayAnswer(g.gatewayUrl, duringOutage.secret)))
          ).every((answer) => answer === "401 KEY_REVOKED"),
        5000,
      );
      const refusedAfterMs = Date.now() - revokedAt;
      const admin = cluster.nodes.find((node) => node.role === "admin");
      if (admin === undefined) throw new Error("no admin node");
      expect(admin.output()).toContain(
        "redis unreachable: change applied on this node and queued for the others",
      );
      // What an operator's dashboard shows meanwhile.
      for (const node of cluster.nodes)
        expect(await metricValue(node.metricsUrl, "keygate_bus_connected"), node.name).toBe(0);
      expect(await metricValue(admin.metricsUrl, "keygate_bus_queued_changes")).toBe(1);
      await sleep(Math.max(0, 3000 - (Date.now() - stoppedAt)));

      await redis.start();
      await cluster.waitForRegistry(cluster.nodes, 15_000);
      await waitFor("the queued change to be sent and acknowledged by every node", async () => {
        const res = await cluster.admin<{ complete: boolean }>(
          "GET",
          `/v1/changes/${revoked.body.propagation.changeId}`,
        );
        return res.status === 200 && res.body.complete;
      });
      expect(admin.output()).toContain("queued changes sent to the bus");
      for (const node of cluster.nodes) {
        expect(node.output()).toContain("change bus restored");
        expect(await metricValue(node.metricsUrl, "keygate_bus_connected"), node.name).toBe(1);
        expect(await metricValue(node.metricsUrl, "keygate_bus_queued_changes"), node.name).toBe(0);
      }
      await sleep(1000);
      const report = await load.stop();

      for (const [label, target] of Object.entries(report.byTarget)) {
        expect(target.ok, label).toBeGreaterThan(50);
        expect(target.failed, `${label}: ${JSON.stringify(failuresOf(report))}`).toBe(0);
      }
      console.info(
        `Redis outage ~3 s under load: ${Object.values(report.byTarget).reduce((n, t) => n + t.ok, 0)} requests, 0 failed; ` +
          `key revoked during the outage refused on every gateway after ${refusedAfterMs} ms`,
      );
    }, 60_000);

    it("after Redis returns, revoke?wait=true reaches every node: all gateways refuse on the next request", async () => {
      for (let i = 0; i < 5; i++) {
        const key = await newKey(`after-${i}`);
        await warm(key.secret);
        const res = await cluster.admin<{ propagation: Propagation }>(
          "POST",
          `/v1/keys/${key.key.id}/revoke?wait=true`,
        );
        expect(res.status).toBe(200);
        expect(res.body.propagation).toMatchObject({ nodes: 4, acknowledged: 4 });
        for (const g of cluster.gateways)
          expect(await gatewayAnswer(g.gatewayUrl, key.secret)).toBe("401 KEY_REVOKED");
      }
      for (const node of cluster.nodes) expect(node.running(), node.name).toBe(true);
    });
  });
}
