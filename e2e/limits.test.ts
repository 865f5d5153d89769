import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServiceInCi, skipSuite } from "../packages/server/test/support/postgres.ts";
import { type KeygateCluster, missingClusterServices, startCluster } from "./support/cluster.ts";
import { sharedCount, waitForSharedCount } from "./support/limits-counters.ts";
import { awayFromBoundary, windowEnd } from "./support/limits-window.ts";

/**
 * Rate limits across a cluster: 1 admin + 3 gateway nodes on PostgreSQL +
 * Redis, each node leasing units from the shared counters. A consumer's
 * traffic spread over the gateways, and over a key rotation, gets exactly
 * its limit, then 429s.
 */

const DAY = 86_400;

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly headers: Headers;
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
  describe("limits across 3 gateways on PostgreSQL + Redis", () => {
    let cluster: KeygateCluster;

    const gateway = (i: number) => cluster.gateways[i % cluster.gateways.length]?.gatewayUrl;
    /** Waits until every gateway has handed its idle lease back: the counter then reads what was spent. */
    const leasesReturned = (consumerId: string, spent: number) =>
      waitForSharedCount(() => sharedCount(cluster.redisUrl, cluster.redisPrefix, consumerId, DAY), spent);
    /** A consumer on a fresh plan of `limit` requests per day, with one key. */
    const consumerWithLimit = async (name: string, limit: number) => {
      const plan = await cluster.admin("PUT", `/v1/plans/${name}?wait=true`, {
        rateLimit: { limit, windowSeconds: DAY },
      });
      expect(plan.status).toBe(200);
      const consumer = await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name, plan: name });
      expect(consumer.status).toBe(201);
      const key = await cluster.admin<{ key: { id: string }; secret: string }>(
        "POST",
        `/v1/consumers/${consumer.body.id}/keys?wait=true`,
        { name: "main" },
      );
      expect(key.status).toBe(201);
      return { consumerId: consumer.body.id, keyId: key.body.key.id, secret: key.body.secret };
    };

    beforeAll(async () => {
      cluster = await startCluster({ gateways: 3, admins: 1, label: "limits" });
      await cluster.waitForRegistry();
      await awayFromBoundary(windowEnd(DAY));
    }, 240_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    it("allows exactly N requests spread round-robin over 3 gateways and across a rotation, then only 429s", async () => {
      const N = 120;
      const { consumerId, keyId, secret: oldSecret } = await consumerWithLimit("roundrobin", N);
      const answers: Answer[] = [];
      let newSecret = "";
      for (let i = 0; i < N + 30; i++) {
        if (i === N / 2) {
          const rotated = await cluster.admin<{ secret: string }>(
            "POST",
            `/v1/keys/${keyId}/rotate?wait=true`,
            {
              overlapSeconds: 3600,
            },
          );
          expect(rotated.status).toBe(201);
          newSecret = rotated.body.secret;
        }
        // After the rotation both keys are in use, as during a real overlap.
        const secret = i < N / 2 || i % 2 === 0 ? oldSecret : newSecret;
        answers.push(await call(gateway(i), secret));
      }
      const statuses = answers.map((a) => a.status);
      expect(statuses.slice(0, N).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(N).every((s) => s === 429)).toBe(true);
      expect(answers.slice(N).every((a) => a.code === "RATE_LIMITED")).toBe(true);
      // Both keys were refused once the consumer's limit was reached: the counter is the consumer's.
      expect(answers.at(-1)?.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(answers.at(-2)?.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(answers[0]?.headers.get("ratelimit-policy")).toBe(`"86400s";q=${N};w=${DAY}`);
      expect(answers[N]?.headers.get("ratelimit")).toMatch(/^"86400s";r=0;t=\d+$/);

      const usage = await cluster.admin<{ rateLimit: { limit: number; remaining: number } }>(
        "GET",
        `/v1/consumers/${consumerId}/usage`,
      );
      expect(usage.body.rateLimit).toMatchObject({ limit: N, remaining: 0 });
    });

    it("never allows more than N under concurrent load on 3 gateways, and reaches exactly N once idle leases are handed back", async () => {
      const N = 300;
      const { secret, consumerId } = await consumerWithLimit("concurrent", N);
      const burst = async (requests: number) => {
        let next = 0;
        let allowed = 0;
        const worker = async () => {
          while (next < requests) {
            const i = next++;
            const answer = await call(gateway(i), secret);
            if (answer.status === 200) allowed++;
            else expect(answer.code).toBe("RATE_LIMITED");
          }
        };
        await Promise.all(Array.from({ length: 12 }, worker));
        return allowed;
      };
      const first = await burst(N + 60);
      expect(first).toBeLessThanOrEqual(N);
      // Any units still leased on a gateway go back after a second idle.
      await leasesReturned(consumerId, first);
      const second = await burst(60);
      expect(first + second).toBe(N);
    });

    it("hands an idle gateway's unused lease back, so the consumer's traffic moving to another gateway still gets exactly N", async () => {
      const N = 400;
      const { secret, consumerId } = await consumerWithLimit("moving", N);
      for (let i = 0; i < 5; i++) expect((await call(gateway(0), secret)).status).toBe(200);
      // Gateway 0 leased far more than 5 units (about N / (4 × 4 live nodes)); they go back when idle.
      expect(await sharedCount(cluster.redisUrl, cluster.redisPrefix, consumerId, DAY)).toBeGreaterThan(5);
      await leasesReturned(consumerId, 5);
      const statuses: number[] = [];
      for (let i = 0; i < N; i++) statuses.push((await call(gateway(1), secret)).status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(N - 5);
      expect(statuses.slice(N - 5).every((s) => s === 429)).toBe(true);
    });

    it("POST /v1/verify on the admin node charges the same counters as the gateways", async () => {
      const N = 10;
      const { secret } = await consumerWithLimit("verify", N);
      for (let i = 0; i < 6; i++) expect((await call(gateway(i), secret)).status).toBe(200);
      const verify = await cluster.admin<{ valid: boolean; code: string }>("POST", "/v1/verify", {
        key: secret,
        cost: 4,
      });
      expect(verify.body).toMatchObject({ valid: true, code: "VALID" });
      const limited = await cluster.admin<{ valid: boolean; code: string }>("POST", "/v1/verify", {
        key: secret,
      });
      expect(limited.body).toMatchObject({ valid: false, code: "RATE_LIMITED" });
      expect((await call(gateway(2), secret)).code).toBe("RATE_LIMITED");
    });
  });
}
