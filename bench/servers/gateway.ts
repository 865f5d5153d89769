/**
 * The keygate gateway as deployed, minus the network store: a MemoryKeyStore
 * with one consumer and key (created through `commit`), the Verifier, the
 * UsageRecorder and a route table. Reports its port and the key over IPC.
 */
import type { AddressInfo } from "node:net";
import { generateKeySecret, keyHint, newId } from "@keygate/core";
import { createGatewayServer, type GatewayLogger } from "../../packages/server/src/gateway/gateway-server.ts";
import { compileRouteTable } from "../../packages/server/src/gateway/route-table.ts";
import { cryptoRandom, nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";

const upstream = process.argv[2];
if (upstream === undefined) throw new Error("usage: gateway.ts <upstream-url>");

const store = new MemoryKeyStore({ hasher: nodeHasher });
const now = systemClock.now();
const consumer = {
  id: newId("con", now, cryptoRandom),
  name: "bench",
  plan: "pro",
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
    { type: "insertConsumer", consumer },
    { type: "insertKey", key },
  ],
  audit: [],
  events: [],
});
if (!committed.ok) throw new Error(committed.conflict);

const silent: GatewayLogger = { info: () => {}, warn: () => {}, error: () => {} };
const verifier = new Verifier({ store, clock: systemClock, hasher: nodeHasher });
const usage = new UsageRecorder({ store });
const gateway = createGatewayServer({
  verifier,
  upstream,
  routes: compileRouteTable([
    { method: "GET", path: "/v2/daily-ohlcv", scopes: ["read"], cost: 1 },
    { method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 5 },
    { method: "GET", path: "/v2/items/:id", scopes: ["read"], cost: 1 },
  ]),
  clock: systemClock,
  logger: silent,
  usage,
});
const { port } = await gateway.listen(0, "127.0.0.1");
process.send?.({ port: (gateway.server.address() as AddressInfo).port ?? port, secret });
process.on("SIGTERM", () => {
  gateway.server.closeAllConnections();
  process.exit(0);
});
