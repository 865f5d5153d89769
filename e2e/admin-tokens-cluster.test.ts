import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServiceInCi, skipSuite } from "../packages/server/test/support/postgres.ts";
import { type KeygateCluster, missingClusterServices, startCluster } from "./support/cluster.ts";
import type { Propagation } from "./support/node-probes.ts";

/**
 * Three admin nodes (`keygate start --role admin`, real processes) on one
 * PostgreSQL database and one Redis prefix: an admin token revoked through
 * one node is refused by every node as soon as `?wait=true` returns, though
 * each node had it cached as valid (the cache alone would keep it 5 s); an
 * expired token is refused everywhere without any change being sent.
 */

const missing = await missingClusterServices();

async function status(adminUrl: string | undefined, token: string): Promise<number> {
  const res = await fetch(`${adminUrl}/v1/consumers?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

if (missing !== null) {
  skipSuite(requireServiceInCi(missing));
} else {
  describe("cluster: admin tokens across 3 admin nodes on PostgreSQL + Redis", () => {
    let cluster: KeygateCluster;
    const everyNode = (token: string) =>
      Promise.all(cluster.nodes.map((node) => status(node.adminUrl, token)));
    const issue = async (body: Record<string, unknown>) => {
      const res = await cluster.admin<{ token: { id: string }; secret: string }>(
        "POST",
        "/v1/admin-tokens",
        body,
      );
      expect(res.status).toBe(201);
      return res.body;
    };

    beforeAll(async () => {
      cluster = await startCluster({ admins: 3, gateways: 0, label: "admintokens" });
    }, 90_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 30_000);

    it("a revoked token is refused on every node once ?wait=true returns", async () => {
      const { token, secret } = await issue({ name: "ops-laptop", role: "operator" });
      // Twice per node: the first reads the store and caches the token, the second is served from the cache.
      for (let i = 0; i < 2; i++) expect(await everyNode(secret)).toEqual([200, 200, 200]);

      const revokeNode = cluster.nodes[1];
      const started = Date.now();
      const res = await fetch(`${revokeNode?.adminUrl}/v1/admin-tokens/${token.id}?wait=true`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${cluster.adminToken}` },
      });
      const body = (await res.json()) as { propagation: Propagation };
      expect(res.status).toBe(200);
      expect(body.propagation.acknowledged).toBe(body.propagation.nodes);
      expect(body.propagation.nodes).toBeGreaterThanOrEqual(3);
      expect(await everyNode(secret)).toEqual([401, 401, 401]);
      // Well inside the cache's 5 s: the change, not the TTL, ended it.
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it("an expired token is refused on every node", async () => {
      const expiresAt = new Date(Date.now() + 2_000).toISOString();
      const { secret } = await issue({ name: "short-lived", role: "viewer", expiresAt });
      expect(await everyNode(secret)).toEqual([200, 200, 200]);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, Date.parse(expiresAt) - Date.now() + 50)),
      );
      expect(await everyNode(secret)).toEqual([401, 401, 401]);
    });
  });
}
