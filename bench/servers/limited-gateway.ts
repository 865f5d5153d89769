/**
 * The gateway of `gateway.ts` with rate limits and quotas on Redis: the
 * consumer is on a plan whose limits are never reached (every request is
 * decided and charged, none refused), counters in a Redis under a fresh
 * prefix. Reports its port, the key and the prefix over IPC.
 * Usage: limited-gateway.ts <upstream-url> <redis-url> <prefix>
 */
import { RedisCounterStore } from "../../packages/server/src/cluster/redis/counters/redis-counter-store.ts";
import { Limiter } from "../../packages/server/src/limits/limiter.ts";
import { nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { seedOneKey } from "../lib/bench-key-world.ts";
import { benchRoutes, serveBenchGateway, silentGatewayLogger } from "../lib/gateway-process.ts";

const [upstream, redisUrl, prefix] = process.argv.slice(2);
if (upstream === undefined || redisUrl === undefined || prefix === undefined) {
  throw new Error("usage: limited-gateway.ts <upstream-url> <redis-url> <prefix>");
}

const store = new MemoryKeyStore({ hasher: nodeHasher });
const secret = await seedOneKey(store, {
  scopes: ["read"],
  plan: "bench",
  before: [
    {
      type: "putPlan",
      plan: {
        name: "bench",
        rateLimit: { limit: 1_000_000_000, windowSeconds: 60 },
        quota: { limit: 1_000_000_000_000, period: "month" },
        scopes: null,
        updatedAt: systemClock.now(),
      },
    },
  ],
});

const counters = new RedisCounterStore({ redisUrl, keyPrefix: prefix });
await counters.connect();
await counters.ping();
const limiter = new Limiter({
  counters,
  // Three gateways share the counters, as in the e2e cluster: leases are sized for a cluster.
  shared: { liveNodes: async () => 3 },
  plans: store,
  clock: systemClock,
  logger: silentGatewayLogger,
});
await limiter.start();

await serveBenchGateway(
  {
    verifier: new Verifier({ store, clock: systemClock, hasher: nodeHasher }),
    upstream,
    routes: benchRoutes(),
    usage: new UsageRecorder({ store }),
    limiter,
  },
  secret,
  () => limiter.close().catch(() => undefined),
  async () => limiter.metricsText(),
);
