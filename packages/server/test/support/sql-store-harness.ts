import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { PostgresKeyStore } from "../../src/store/sql/postgres-key-store.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";
import { createTestDatabase } from "./postgres.ts";

/** What the store contract runners take besides `name`: a freshly emptied store per test, and peers on the same data. */
export interface StoreHarness<S> {
  /** Opens (and migrates) a store, then empties every table with the reset statements. */
  readonly create: () => Promise<S>;
  /** Opens a second store on the same database, without emptying it. */
  readonly openPeer: () => Promise<S>;
}

/**
 * One throwaway PostgreSQL database for the calling test file (dropped after
 * all its tests), or null when the server is unreachable: pair with
 * `skipSuite(requireServiceInCi("PostgreSQL"))`.
 */
export async function postgresStoreHarness(
  label: string,
  reset: readonly string[],
): Promise<StoreHarness<PostgresKeyStore> | null> {
  const database = await createTestDatabase(label);
  if (database === null) return null;
  const url = database.url;
  afterAll(() => database.drop());

  const open = async (): Promise<PostgresKeyStore> => {
    const store = new PostgresKeyStore({ connectionString: url, hasher: nodeHasher });
    await store.migrate();
    return store;
  };

  return {
    create: async () => {
      const store = await open();
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      try {
        for (const statement of reset) await raw.query(statement);
      } finally {
        await raw.end();
      }
      return store;
    },
    openPeer: open,
  };
}

/** Where the SQLite harness puts its file. */
export interface SqliteStoreHarnessOptions {
  /** Names the temporary directory: `keygate-sqlite-<label>-…`. */
  readonly label: string;
  /** Path segments of the database file inside that directory; a missing parent is the store's to create. */
  readonly file: readonly string[];
  /** Statements that empty the store before every test. */
  readonly reset: readonly string[];
}

/** One real database file for the calling test file (its directory removed after all tests), emptied before every test. */
export function sqliteStoreHarness(options: SqliteStoreHarnessOptions): StoreHarness<SqliteKeyStore> {
  const dir = mkdtempSync(join(tmpdir(), `keygate-sqlite-${options.label}-`));
  const path = join(dir, ...options.file);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = async (): Promise<SqliteKeyStore> => {
    const store = new SqliteKeyStore({ path, hasher: nodeHasher });
    await store.migrate();
    return store;
  };

  return {
    create: async () => {
      const store = await open();
      const raw = new Database(path);
      try {
        for (const statement of options.reset) raw.exec(statement);
      } finally {
        raw.close();
      }
      return store;
    },
    openPeer: open,
  };
}
