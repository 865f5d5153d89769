import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fenceIdOf } from "../packages/server/src/services/revocation-fence.ts";
import { requireServiceInCi, skipSuite } from "../packages/server/test/support/postgres.ts";
import { type KeygateCluster, missingClusterServices, startCluster } from "./support/cluster.ts";
import type { Propagation } from "./support/node-probes.ts";
import { seedKeys } from "./support/seed-keys.ts";

/**
 * 1 admin + 3 gateway nodes (`keygate start --role admin|gateway`) on one
 * PostgreSQL database and one Redis prefix: what a change made through the
 * admin node does on every gateway, right after `?wait=true` returns.
 */

interface Answer {
  status: number;
  code: string | undefined;
  headers: Headers;
}

async function call(gatewayUrl: string | undefined, secret: string): Promise<Answer> {
  const res = await fetch(`${gatewayUrl}/v2/trader-grades?symbol=ETH`, { headers: { "x-api-key": secret } });
  const text = await res.text();
  const code = res.status === 200 ? undefined : (JSON.parse(text) as { code?: string }).code;
  return { status: res.status, code, headers: res.headers };
}

const missing = await missingClusterServices();

if (missing !== null) {
  skipSuite(requireServiceInCi(missing));
} else {
  describe("cluster: 1 admin + 3 gateways on PostgreSQL + Redis", () => {
    let cluster: KeygateCluster;
    let consumerId: string;
    const secrets: string[] = [];

    const everyGateway = (secret: string) =>
      Promise.all(cluster.gateways.map((g) => call(g.gatewayUrl, secret)));
    const newKey = async (name: string) => {
      const res = await cluster.admin<{ key: { id: string }; secret: string; propagation: Propagation }>(
        "POST",
        `/v1/consumers/${consumerId}/keys?wait=true`,
        { name },
      );
      expect(res.status).toBe(201);
      secrets.push(res.body.secret);
      return res.body;
    };
    /** Two calls per gateway: the first reads the store and fills the cache, the second is served from it. */
    const warm = async (secret: string) => {
      for (let i = 0; i < 2; i++)
        for (const answer of await everyGateway(secret)) expect(answer.status).toBe(200);
    };

    beforeAll(async () => {
      cluster = await startCluster({ gateways: 3, admins: 1, label: "cluster" });
      const created = await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "acme" });
      consumerId = created.body.id;
    }, 90_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    it("registers 4 live nodes with their roles, each with the bus connected", async () => {
      await cluster.waitForRegistry();
      const nodes = await cluster.liveNodes();
      expect(nodes.map((n) => n.role).sort()).toEqual(["admin", "gateway", "gateway", "gateway"]);
      expect(nodes.every((n) => n.busConnected)).toBe(true);
      // A gateway-only node serves no admin port.
      const gateway = cluster.gateways[0];
      expect(gateway?.adminUrl).toBeUndefined();
    });

    it("control: a key revoked behind keygate's back (SQL, no change published) is still served from every gateway's cache", async () => {
      const { key, secret } = await newKey("control");
      await warm(secret);
      const db = new pg.Client({ connectionString: cluster.databaseUrl });
      await db.connect();
      try {
        await db.query("update keys set status = 'revoked', revoked_at = $1 where id = $2", [
          Date.now(),
          key.id,
        ]);
      } finally {
        await db.end();
      }
      // This is what the propagation below has to beat: without a change, caches keep answering.
      for (const answer of await everyGateway(secret)) expect(answer.status).toBe(200);
    });

    it("after revoke?wait=true returns, all three gateways refuse the key (KEY_REVOKED) on the very next request — 20 keys in a row", async () => {
      for (let i = 0; i < 20; i++) {
        const { key, secret } = await newKey(`revoke-${i}`);
        await warm(secret);
        const revoked = await cluster.admin<{ propagation: Propagation }>(
          "POST",
          `/v1/keys/${key.id}/revoke?wait=true`,
          { reason: "test" },
        );
        expect(revoked.status).toBe(200);
        expect(revoked.body.propagation).toMatchObject({ nodes: 4, acknowledged: 4 });
        const answers = await everyGateway(secret);
        for (const answer of answers) {
          expect(answer).toMatchObject({ status: 401, code: "KEY_REVOKED" });
          expect(answer.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
        }
        if (i === 0) {
          const change = await cluster.admin<Record<string, unknown>>(
            "GET",
            `/v1/changes/${revoked.body.propagation.changeId}`,
          );
          expect(change.body).toEqual({
            changeId: revoked.body.propagation.changeId,
            nodes: 4,
            acknowledged: 4,
            complete: true,
          });
        }
      }
    });

    it("revocation is deny-first: every node applied the fence (refusing) before the committed change", async () => {
      const { key, secret } = await newKey("fenced");
      await warm(secret);
      const revoked = await cluster.admin<{ propagation: Propagation }>(
        "POST",
        `/v1/keys/${key.id}/revoke?wait=true`,
      );
      expect(revoked.status).toBe(200);
      const changeId = revoked.body.propagation.changeId;
      const redis = new Redis(cluster.redisUrl);
      try {
        const acks = async (id: string) =>
          redis.hgetall(`${cluster.redisPrefix}change:${id}:acks`) as Promise<Record<string, string>>;
        const fence = await acks(fenceIdOf(changeId));
        const change = await acks(changeId);
        // Every node that applied the change had applied the fence first.
        expect(Object.keys(fence).sort()).toEqual(Object.keys(change).sort());
        expect(Object.keys(change)).toHaveLength(4);
        for (const [node, at] of Object.entries(change))
          expect(Number(fence[node])).toBeLessThanOrEqual(Number(at));
      } finally {
        redis.disconnect();
      }
      for (const answer of await everyGateway(secret))
        expect(answer).toMatchObject({ status: 401, code: "KEY_REVOKED" });
    });

    it("a new key, and the successor of a rotated one, work on every gateway at once; an emergency rollover refuses the old key everywhere", async () => {
      const { key, secret } = await newKey("rotating");
      for (const answer of await everyGateway(secret)) expect(answer.status).toBe(200);
      await warm(secret);

      const rotated = await cluster.admin<{ secret: string; key: { id: string }; propagation: Propagation }>(
        "POST",
        `/v1/keys/${key.id}/rotate?wait=true`,
        { overlapSeconds: 3600 },
      );
      expect(rotated.status).toBe(201);
      expect(rotated.body.propagation).toMatchObject({ nodes: 4, acknowledged: 4 });
      secrets.push(rotated.body.secret);
      for (const answer of await everyGateway(rotated.body.secret)) expect(answer.status).toBe(200);
      // The old key's cached entry was dropped everywhere: it now carries the deprecation signals.
      for (const answer of await everyGateway(secret)) {
        expect(answer.status).toBe(200);
        expect(answer.headers.get("deprecation")).toMatch(/^@\d+$/);
        expect(answer.headers.get("sunset")).not.toBeNull();
      }

      await warm(rotated.body.secret);
      const rollover = await cluster.admin<{ secret: string; key: { id: string } }>(
        "POST",
        `/v1/keys/${rotated.body.key.id}/rotate?wait=true`,
        { overlapSeconds: 0 },
      );
      expect(rollover.status).toBe(201);
      secrets.push(rollover.body.secret);
      for (const answer of await everyGateway(rotated.body.secret))
        expect(answer).toMatchObject({ status: 401, code: "KEY_EXPIRED" });
      for (const answer of await everyGateway(rollover.body.secret)) expect(answer.status).toBe(200);
    });

    it("disabling the consumer refuses its keys on every gateway at once", async () => {
      const other = await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "to-disable" });
      const created = await cluster.admin<{ secret: string }>("POST", `/v1/consumers/${other.body.id}/keys`, {
        name: "k",
      });
      secrets.push(created.body.secret);
      await warm(created.body.secret);
      const patched = await cluster.admin("PATCH", `/v1/consumers/${other.body.id}?wait=true`, {
        disabled: true,
      });
      expect(patched.status).toBe(200);
      for (const answer of await everyGateway(created.body.secret))
        expect(answer).toMatchObject({ status: 403, code: "CONSUMER_DISABLED" });
    });

    it("mass revocation: 10,000 keys in one call and one change; warmed keys are refused on every gateway once ?wait=true returns", async () => {
      const batch = await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "batch" });
      const keys = await seedKeys(cluster.databaseUrl, batch.body.id, 10_000);
      // Every 100th key cached on every gateway.
      const sample = keys.filter((_, i) => i % 100 === 0);
      for (const key of sample) await warm(key.secret);
      const started = performance.now();
      const res = await cluster.admin<{
        revoked: number;
        alreadyRevoked: string[];
        propagation: Propagation;
      }>("POST", "/v1/keys/revoke?wait=true", { keyIds: keys.map((key) => key.id), reason: "incident" });
      const tookMs = performance.now() - started;
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ revoked: 10_000, alreadyRevoked: [] });
      expect(res.body.propagation).toMatchObject({ nodes: 4, acknowledged: 4 });
      for (const key of sample)
        for (const answer of await everyGateway(key.secret))
          expect(answer).toMatchObject({ status: 401, code: "KEY_REVOKED" });
      const audit = await cluster.admin<{ ok: boolean }>("GET", "/v1/audit/verify");
      expect(audit.body.ok).toBe(true);
      console.info(
        `mass revocation of 10,000 keys (admin call incl. commit and ?wait=true): ${tookMs.toFixed(0)} ms`,
      );
    }, 90_000);

    it("no secret reached any node's output", () => {
      expect(secrets.length).toBeGreaterThan(20);
      for (const node of cluster.nodes) {
        const output = node.output();
        expect(output).toContain("keygate node started");
        for (const secret of secrets) expect(output).not.toContain(secret);
        expect(output).not.toContain(cluster.adminToken);
      }
    });
  });
}
