import pg from "pg";
import { afterAll } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { runAnalyticsStoreContract } from "../../src/store/contract/analytics-store.contract.ts";
import { PostgresKeyStore } from "../../src/store/sql/postgres-key-store.ts";
import { createTestDatabase, requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { RESET_WITH_USAGE } from "./reset-usage.ts";

const database = await createTestDatabase("usage");

if (database === null) {
  skipSuite(requireServiceInCi("PostgreSQL"));
} else {
  const url = database.url;
  afterAll(() => database.drop());

  const open = async (): Promise<PostgresKeyStore> => {
    const store = new PostgresKeyStore({ connectionString: url, hasher: nodeHasher });
    await store.migrate();
    return store;
  };

  runAnalyticsStoreContract({
    name: "PostgreSQL",
    create: async () => {
      const store = await open();
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      try {
        for (const statement of RESET_WITH_USAGE) await raw.query(statement);
      } finally {
        await raw.end();
      }
      return store;
    },
    openPeer: open,
  });
}
