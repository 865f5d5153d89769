import { Redis } from "ioredis";
import { afterAll } from "vitest";
import { RedisCounterStore } from "../../src/cluster/redis/counters/redis-counter-store.ts";
import { MemoryCounterStore } from "../../src/limits/memory-counter-store.ts";
import { deleteKeys, redisReachable, TEST_REDIS_URL, testPrefix } from "../cluster/support/redis.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { runCounterStoreContract } from "./counter-store.contract.ts";

runCounterStoreContract({
  name: "memory",
  create: async (now) => new MemoryCounterStore({ clock: { now } }),
  expire: async () => undefined,
});

if (await redisReachable()) {
  const prefixes: string[] = [];
  afterAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  runCounterStoreContract({
    name: "redis",
    async create() {
      const prefix = testPrefix("counters");
      prefixes.push(prefix);
      const store = new RedisCounterStore({ redisUrl: TEST_REDIS_URL, keyPrefix: prefix });
      await store.connect();
      return store;
    },
    // Redis expires by its own (real) clock.
    expire: (at) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()))),
  });
} else {
  skipSuite(requireServiceInCi("Redis"));
}
