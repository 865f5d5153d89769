import { afterAll, afterEach, describe, expect, it } from "vitest";
import { RedisCounterStore } from "../../src/cluster/redis/counters/redis-counter-store.ts";
import type { Limiter } from "../../src/limits/limiter.ts";
import { systemClock } from "../../src/platform/node-platform.ts";
import {
  CuttableProxy,
  deleteKeys,
  rawRedis,
  redisReachable,
  TEST_REDIS_URL,
  testPrefix,
  waitUntil,
} from "../cluster/support/redis.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { PlanTable, plan, RecordingLog, startLimiter } from "./support/limits-fixtures.ts";

if (!(await redisReachable())) {
  skipSuite(requireServiceInCi("Redis"));
} else {
  describe("Limiter on Redis through an outage (real Redis behind a cuttable relay)", () => {
    const redis = rawRedis();
    const prefixes: string[] = [];
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });
    afterAll(async () => {
      await redis.connect().catch(() => undefined);
      for (const prefix of prefixes) await deleteKeys(redis, prefix);
      redis.disconnect();
    });

    it("answers every request during the outage on local counters, reports it once, and re-syncs when Redis is back", async () => {
      const proxy = await CuttableProxy.start(Number(new URL(TEST_REDIS_URL).port || 6379));
      const prefix = testPrefix("limits-outage");
      prefixes.push(prefix);
      const log = new RecordingLog();
      const limiter: Limiter = await startLimiter({
        counters: await (async () => {
          const store = new RedisCounterStore({ redisUrl: proxy.url, keyPrefix: prefix });
          await store.connect();
          return store;
        })(),
        shared: { liveNodes: async () => 2 },
        plans: new PlanTable(plan("p", { quota: { limit: 1000, period: "month" } })),
        clock: systemClock,
        logger: log,
        probeIntervalMs: 50,
      });
      cleanups.push(async () => {
        await limiter.close();
        await proxy.close();
      });
      const decide = async () => (await limiter.decide("con_out", "p", 1, Date.now())).type;
      for (let i = 0; i < 100; i++) expect(await decide()).toBe("allow");
      const now = new Date();
      const key = `${prefix}limits:{con_out}:q:month:${Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)}`;
      await redis.connect().catch(() => undefined);
      // 100 spent, plus what this node holds as its current lease.
      const before = Number(await redis.get(key));
      expect(before).toBeGreaterThanOrEqual(100);
      const share = Math.ceil((1000 - before) / 2);

      proxy.cut();
      const during: string[] = [];
      for (let i = 0; i < 600; i++) during.push(await decide());
      expect(limiter.degraded).toBe(true);
      expect(limiter.metricsText()).toContain("keygate_limits_degraded 1");
      // Its share of what was left (2 live nodes), plus at most the lease it held when Redis went away.
      const allowedDuring = during.filter((d) => d === "allow").length;
      expect(allowedDuring).toBeGreaterThanOrEqual(share);
      expect(allowedDuring).toBeLessThanOrEqual(share + (before - 100));
      expect(during.at(-1)).toBe("deny");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(log.count("warn", "limits degraded")).toBe(1);
      expect(Number(await redis.get(key))).toBe(before);

      proxy.restore();
      await waitUntil("the limiter to leave degraded mode", () => !limiter.degraded, 10_000);
      expect(limiter.metricsText()).toContain("keygate_limits_degraded 0");
      expect(log.count("info", "limits restored")).toBe(1);
      // What was spent on local counters (all of this node's share) is now in the shared counter.
      expect(Number(await redis.get(key))).toBe(before + share);
      expect(await decide()).toBe("allow");
    });
  });
}
