import { nodeHasher } from "../../src/platform/node-platform.ts";
import { runAnalyticsStoreContract } from "../../src/store/contract/analytics-store.contract.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";

runAnalyticsStoreContract({
  name: "memory",
  create: async () => new MemoryKeyStore({ hasher: nodeHasher }),
});
