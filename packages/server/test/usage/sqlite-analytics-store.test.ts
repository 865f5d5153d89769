import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { runAnalyticsStoreContract } from "../../src/store/contract/analytics-store.contract.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";
import { RESET_WITH_USAGE } from "./reset-usage.ts";

// One real database file for this test file, emptied before every test.
const dir = mkdtempSync(join(tmpdir(), "keygate-sqlite-usage-"));
const path = join(dir, "keygate.db");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(): Promise<SqliteKeyStore> {
  const store = new SqliteKeyStore({ path, hasher: nodeHasher });
  await store.migrate();
  return store;
}

runAnalyticsStoreContract({
  name: "SQLite file",
  create: async () => {
    const store = await open();
    const raw = new Database(path);
    try {
      for (const statement of RESET_WITH_USAGE) raw.exec(statement);
    } finally {
      raw.close();
    }
    return store;
  },
  openPeer: open,
});
