/** The retention contract on memory, a real SQLite file and the real PostgreSQL (required under CI=true). */
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { runRetentionStoreContract } from "../../src/store/contract/retention-store.contract.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { postgresStoreHarness, sqliteStoreHarness } from "../support/sql-store-harness.ts";
import { RESET_WITH_USAGE } from "./reset-usage.ts";

runRetentionStoreContract({ name: "memory", create: async () => new MemoryKeyStore({ hasher: nodeHasher }) });

runRetentionStoreContract({
  name: "SQLite file",
  ...sqliteStoreHarness({ label: "retention", file: ["keygate.db"], reset: RESET_WITH_USAGE }),
});

const postgres = await postgresStoreHarness("retention", RESET_WITH_USAGE);
if (postgres === null) skipSuite(requireServiceInCi("PostgreSQL"));
else runRetentionStoreContract({ name: "PostgreSQL", ...postgres });
