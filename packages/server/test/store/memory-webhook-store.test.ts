import { nodeHasher } from "../../src/platform/node-platform.ts";
import { runWebhookStoreContract } from "../../src/store/contract/webhook-store.contract.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";

runWebhookStoreContract({
  name: "memory",
  create: async () => new MemoryKeyStore({ hasher: nodeHasher }),
});
