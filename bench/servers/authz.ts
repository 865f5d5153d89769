/**
 * keygate's forward-auth port as deployed, minus the network store: a
 * MemoryKeyStore with one consumer and key, the Verifier, the UsageRecorder
 * and the bench route table, behind `createAuthzServer` (loopback trusted by
 * default, as nginx on the same host). Reports its port and the key over IPC.
 */
import { createAuthzServer } from "../../packages/server/src/gateway/authz-server.ts";
import { nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { seedOneKey } from "../lib/bench-key-world.ts";
import { benchRoutes, silentGatewayLogger } from "../lib/gateway-process.ts";

const store = new MemoryKeyStore({ hasher: nodeHasher });
const secret = await seedOneKey(store, { scopes: ["read"] });
const authz = createAuthzServer({
  verifier: new Verifier({ store, clock: systemClock, hasher: nodeHasher }),
  routes: benchRoutes(),
  clock: systemClock,
  logger: silentGatewayLogger,
  usage: new UsageRecorder({ store }),
});
const { port } = await authz.listen(0, "127.0.0.1");
process.send?.({ port, secret });
process.on("SIGTERM", () => {
  authz.server.closeAllConnections();
  process.exit(0);
});
