import { nodeHasher } from "../../src/platform/node-platform.ts";
import { runKeyStoreContract } from "../../src/store/contract/key-store.contract.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";

runKeyStoreContract({
  name: "memory",
  create: async () => new MemoryKeyStore({ hasher: nodeHasher }),
});
