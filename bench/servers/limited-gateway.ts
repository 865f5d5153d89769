/**
 * The gateway of `gateway.ts` with rate limits and quotas on Redis: the
 * consumer is on a plan whose limits are never reached (every request is
 * decided and charged, none refused), counters in a Redis under a fresh
 * prefix. Reports its port, the key and the prefix over IPC.
 * Usage: limited-gateway.ts <upstream-url> <redis-url> <prefix>
 */
import type { AddressInfo } from "node:net";
import { generateKeySecret, keyHint, newId } from "@keygate/core";
import { RedisCounterStore } from "../../packages/server/src/cluster/redis/counters/redis-counter-store.ts";
import { createGatewayServer, type GatewayLogger } from "../../packages/server/src/gateway/gateway-server.ts";
import { compileRouteTable } from "../../packages/server/src/gateway/route-table.ts";
import { Limiter } from "../../packages/server/src/limits/limiter.ts";
import { cryptoRandom, nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";

const [upstream, redisUrl, prefix] = process.argv.slice(2);
if (upstream === undefined || redisUrl === undefined || prefix === undefined) {
  throw new Error("usage: limited-gateway.ts <upstream-url> <redis-url> <prefix>");
}

const store = new MemoryKeyStore({ hasher: nodeHasher });
const now = systemClock.now();
const consumer = {
  id: newId("con", now, cryptoRandom),
  name: "bench",
  plan: "bench",
  metadata: {},
  disabled: false,
  rotationPolicy: null,
  createdAt: now,
  updatedAt: now,
};
const secret = generateKeySecret(cryptoRandom, "live");
const key = {
  id: newId("key", now, cryptoRandom),
  consumerId: consumer.id,
  name: "bench key",
  scopes: ["read"],
  env: "live" as const,
  lineageId: newId("lin", now, cryptoRandom),
  version: 1,
  status: "active" as const,
  hash: nodeHasher.sha256Hex(secret),
  hint: keyHint(secret),
  createdAt: now,
  expiresAt: null,
  deprecatedAt: null,
  sunsetAt: null,
  revokedAt: null,
  revokedReason: null,
  lastUsedAt: null,
  metadata: {},
  revision: 0,
};
const committed = await store.commit({
  writes: [
    {
      type: "putPlan",
      plan: {
        name: "bench",
        rateLimit: { limit: 1_000_000_000, windowSeconds: 60 },
        quota: { limit: 1_000_000_000_000, period: "month" },
        updatedAt: now,
      },
    },
    { type: "insertConsumer", consumer },
    { type: "insertKey", key },
  ],
  audit: [],
  events: [],
});
if (!committed.ok) throw new Error(committed.conflict);

const silent: GatewayLogger = { info: () => {}, warn: () => {}, error: () => {} };
const counters = new RedisCounterStore({ redisUrl, keyPrefix: prefix });
await counters.connect();
await counters.ping();
const limiter = new Limiter({
  counters,
  // Three gateways share the counters, as in the e2e cluster: leases are sized for a cluster.
  shared: { liveNodes: async () => 3 },
  plans: store,
  clock: systemClock,
  logger: silent,
});
await limiter.start();
const verifier = new Verifier({ store, clock: systemClock, hasher: nodeHasher });
const usage = new UsageRecorder({ store });
const gateway = createGatewayServer({
  verifier,
  upstream,
  routes: compileRouteTable([
    { method: "GET", path: "/v2/daily-ohlcv", scopes: ["read"], cost: 1 },
    { method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 5 },
  ]),
  clock: systemClock,
  logger: silent,
  usage,
  limiter,
  metrics: async () => limiter.metricsText(),
});
const { port } = await gateway.listen(0, "127.0.0.1");
process.send?.({ port: (gateway.server.address() as AddressInfo).port ?? port, secret });
process.on("SIGTERM", () => {
  gateway.server.closeAllConnections();
  limiter
    .close()
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
