import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { consumerWithKey } from "../../src/store/contract/fixtures.ts";
import { createKeyStore } from "../../src/store/create-key-store.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";
import { PostgresKeyStore } from "../../src/store/sql/postgres-key-store.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";

const deps = { hasher: nodeHasher };
const dir = mkdtempSync(join(tmpdir(), "keygate-create-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createKeyStore", () => {
  it("opens sqlite:<path> relative to the working directory, creating the directory", async () => {
    const absolute = join(dir, "data", "keygate.db");
    const store = createKeyStore(`sqlite:${relative(process.cwd(), absolute)}`, deps);
    expect(store).toBeInstanceOf(SqliteKeyStore);
    await store.migrate();
    expect(await store.commit(consumerWithKey(1).unit)).toEqual({ ok: true, auditSeqs: [1] });
    await store.close();
    expect(existsSync(absolute)).toBe(true);
    // Durable: a new store on the same URL sees the data.
    const again = createKeyStore(`sqlite:${absolute}`, deps);
    expect(await again.getKey("key_0001")).toMatchObject({ id: "key_0001" });
    await again.close();
  });

  it("opens sqlite::memory: without touching the disk", async () => {
    const store = createKeyStore("sqlite::memory:", deps);
    expect(store).toBeInstanceOf(SqliteKeyStore);
    await store.migrate();
    expect(await store.commit(consumerWithKey(1).unit)).toEqual({ ok: true, auditSeqs: [1] });
    expect(existsSync(":memory:")).toBe(false);
    await store.close();
  });

  it("opens postgres:// and postgresql:// URLs lazily", async () => {
    for (const url of ["postgres://u:p@127.0.0.1:1/db", "postgresql://u:p@127.0.0.1:1/db"]) {
      const store = createKeyStore(url, deps);
      expect(store).toBeInstanceOf(PostgresKeyStore);
      await store.close();
    }
  });

  it("opens memory:", () => {
    expect(createKeyStore("memory:", deps)).toBeInstanceOf(MemoryKeyStore);
  });

  it("rejects anything else with a message naming the accepted forms", () => {
    expect(() => createKeyStore("mysql://root@localhost/keygate", deps)).toThrow(
      /unsupported database URL scheme "mysql:".*sqlite:<path>.*postgres:\/\/.*memory:/,
    );
    expect(() => createKeyStore("./data/keygate.db", deps)).toThrow(/unsupported database URL/);
    expect(() => createKeyStore("sqlite:", deps)).toThrow(/needs a path/);
  });
});
