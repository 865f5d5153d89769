import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServiceInCi, skipSuite } from "../packages/server/test/support/postgres.ts";
import {
  type ClusterNode,
  type KeygateCluster,
  missingClusterServices,
  startCluster,
} from "./support/cluster.ts";
import { gatewayAnswer, type Propagation } from "./support/node-probes.ts";
import { startLoad } from "./support/steady-load.ts";

/**
 * One gateway killed with SIGKILL under load: the other gateways do not
 * notice, `?wait=true` stops waiting for the dead node once its heartbeat
 * goes stale, and the node rejoins (registry, store, bus) when restarted.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connection-level failures a client sees from a process that is gone; anything else would be keygate answering wrongly. */
const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "UND_ERR_SOCKET",
  "EPIPE",
  "UND_ERR_CLOSED",
]);

const missing = await missingClusterServices();

if (missing !== null) {
  skipSuite(requireServiceInCi(missing));
} else {
  describe("fault: a gateway killed with SIGKILL under load, then restarted", () => {
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
    const warm = async (secret: string, nodes: readonly ClusterNode[]) => {
      for (let i = 0; i < 2; i++)
        for (const g of nodes) expect(await gatewayAnswer(g.gatewayUrl, secret)).toBe("OK");
    };

    beforeAll(async () => {
      cluster = await startCluster({ gateways: 3, admins: 1, label: "faults_kill" });
      consumerId = (await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "acme" })).body.id;
      await cluster.waitForRegistry();
    }, 90_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    it("the surviving gateways serve every request; revocations reach them; the killed node rejoins on restart", async () => {
      const [g1, g2, g3] = cluster.gateways;
      if (g1 === undefined || g2 === undefined || g3 === undefined) throw new Error("3 gateways expected");
      const loadKey = await newKey("load");
      const revokedWhileDown = await newKey("revoked-while-down");
      for (const key of [loadKey, revokedWhileDown]) await warm(key.secret, cluster.gateways);
      const load = startLoad(
        cluster.gateways.map((g) => ({
          label: g.name,
          gatewayUrl: g.gatewayUrl ?? "",
          secret: loadKey.secret,
        })),
      );
      await sleep(1000);

      const deadPid = g2.pid;
      await cluster.kill(g2);
      const killedAt = Date.now();
      expect(g2.running()).toBe(false);

      // The dead node is still registered for up to 3 s (its last heartbeat); ?wait=true stops waiting
      // for it once it goes stale, and answers with the live nodes that acknowledged.
      const started = Date.now();
      const revoked = await cluster.admin<{ propagation: Propagation }>(
        "POST",
        `/v1/keys/${revokedWhileDown.key.id}/revoke?wait=true`,
      );
      const waitedMs = Date.now() - started;
      expect(revoked.status).toBe(200);
      expect(revoked.body.propagation).toMatchObject({ nodes: 3, acknowledged: 3 });
      for (const g of [g1, g3])
        expect(await gatewayAnswer(g.gatewayUrl, revokedWhileDown.secret)).toBe("401 KEY_REVOKED");
      await cluster.waitForRegistry([cluster.nodes[0] as ClusterNode, g1, g3]);
      expect((await cluster.liveNodes()).some((n) => n.pid === deadPid)).toBe(false);
      await sleep(Math.max(0, 2000 - (Date.now() - killedAt)));

      await cluster.restart(g2);
      expect(g2.pid).not.toBe(deadPid);
      await cluster.waitForRegistry();
      // Back with an empty cache: the store has the revocation, the bus has what comes next.
      expect(await gatewayAnswer(g2.gatewayUrl, revokedWhileDown.secret)).toBe("401 KEY_REVOKED");
      const after = await newKey("after-restart");
      await warm(after.secret, cluster.gateways);
      const res = await cluster.admin<{ propagation: Propagation }>(
        "POST",
        `/v1/keys/${after.key.id}/revoke?wait=true`,
      );
      expect(res.body.propagation).toMatchObject({ nodes: 4, acknowledged: 4 });
      for (const g of cluster.gateways)
        expect(await gatewayAnswer(g.gatewayUrl, after.secret)).toBe("401 KEY_REVOKED");
      const restartedAt = Date.now();
      await sleep(1000);
      const report = await load.stop();

      for (const g of [g1, g3]) {
        const target = report.byTarget[g.name];
        expect(target?.ok, g.name).toBeGreaterThan(50);
        expect(target?.failed, `${g.name}: ${JSON.stringify(target?.failures)}`).toBe(0);
      }
      const killed = report.byTarget[g2.name];
      // The killed node's own clients saw connection errors only, and only while it was down.
      for (const reason of Object.keys(killed?.failures ?? {}))
        expect(CONNECTION_ERRORS.has(reason), reason).toBe(true);
      expect(killed?.firstFailureAt ?? killedAt).toBeGreaterThanOrEqual(killedAt - 50);
      expect(killed?.lastFailureAt ?? 0).toBeLessThan(restartedAt);
      for (const node of [cluster.nodes[0], g1, g3]) {
        expect(node?.running()).toBe(true);
        expect(node?.output()).not.toMatch(/"level":(50|60)/);
      }
      console.info(
        `SIGKILL of ${g2.name}: survivors 0 failed of ${(report.byTarget[g1.name]?.ok ?? 0) + (report.byTarget[g3.name]?.ok ?? 0)}; ` +
          `revoke?wait=true with the dead node still registered took ${waitedMs} ms; killed node's clients: ${JSON.stringify(killed?.failures)}`,
      );
    }, 75_000);
  });
}
