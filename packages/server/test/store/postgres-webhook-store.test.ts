import pg from "pg";
import { afterAll } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { runWebhookStoreContract } from "../../src/store/contract/webhook-store.contract.ts";
import { PostgresKeyStore } from "../../src/store/sql/postgres-key-store.ts";
import { createTestDatabase, requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { RESET_SQL_STORE } from "./sql-store-reset.ts";

const database = await createTestDatabase("webhooks");

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

  runWebhookStoreContract({
    name: "PostgreSQL",
    create: async () => {
      const store = await open();
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      try {
        for (const statement of RESET_SQL_STORE) await raw.query(statement);
      } finally {
        await raw.end();
      }
      return store;
    },
    openPeer: open,
  });
}
