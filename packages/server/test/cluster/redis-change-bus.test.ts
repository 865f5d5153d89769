import { describe } from "vitest";
import { requireServiceInCi } from "../support/postgres.ts";
import { runChangeBusSuite } from "./support/change-bus-suite.ts";
import { CuttableProxy, deleteKeys, rawRedis, redisReachable, TEST_REDIS_URL } from "./support/redis.ts";

if (!(await redisReachable())) {
  describe.skip(requireServiceInCi("Redis"), () => undefined);
} else {
  const onShared = async <T>(work: (redis: ReturnType<typeof rawRedis>) => Promise<T>): Promise<T> => {
    const redis = rawRedis();
    await redis.connect();
    try {
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  };
  runChangeBusSuite({
    name: "a shared Redis",
    redisUrl: TEST_REDIS_URL,
    clustered: false,
    admin: () => rawRedis(),
    deleteKeys: (prefix) => onShared((redis) => deleteKeys(redis, prefix)),
    numsub: (channel) => onShared(async (redis) => Number((await redis.pubsub("NUMSUB", channel))[1])),
    killClients: (name) =>
      onShared(async (redis) => {
        let killed = 0;
        for (const line of String(await redis.client("LIST")).split("\n")) {
          const id = line.includes(` name=${name} `) ? line.match(/^id=(\d+) /)?.[1] : undefined;
          if (id !== undefined) killed += Number(await redis.client("KILL", "ID", id));
        }
        return killed;
      }),
    cuttable: async () => {
      const proxy = await CuttableProxy.start(Number(new URL(TEST_REDIS_URL).port || 6379));
      return {
        url: proxy.url,
        natMap: undefined,
        cut: () => proxy.cut(),
        restore: () => proxy.restore(),
        close: () => proxy.close(),
      };
    },
  });
}
