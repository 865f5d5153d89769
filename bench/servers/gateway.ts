/**
 * The keygate gateway as deployed, minus the network store: a MemoryKeyStore
 * with one consumer and key (created through `commit`), the Verifier, the
 * UsageRecorder and a route table. Reports its port and the key over IPC.
 */
import { nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { seedOneKey } from "../lib/bench-key-world.ts";
import { benchRoutes, serveBenchGateway } from "../lib/gateway-process.ts";

const upstream = process.argv[2];
if (upstream === undefined) throw new Error("usage: gateway.ts <upstream-url>");

const store = new MemoryKeyStore({ hasher: nodeHasher });
const secret = await seedOneKey(store, { scopes: ["read"] });

await serveBenchGateway(
  {
    verifier: new Verifier({ store, clock: systemClock, hasher: nodeHasher }),
    upstream,
    routes: benchRoutes([{ method: "GET", path: "/v2/items/:id", scopes: ["read"], cost: 1 }]),
    usage: new UsageRecorder({ store }),
  },
  secret,
);
