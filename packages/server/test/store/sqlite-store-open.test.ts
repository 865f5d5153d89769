import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeygateError } from "@keygate/core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";

const dir = mkdtempSync(join(tmpdir(), "keygate-sqlite-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectUnavailable(promise: Promise<unknown>): Promise<KeygateError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeygateError);
  expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", status: 503 });
  return error as KeygateError;
}

describe("SqliteKeyStore on a file", () => {
  it("creates missing parent directories and opens the file in WAL mode with foreign keys on", async () => {
    const path = join(dir, "a", "b", "c", "keygate.db");
    const store = new SqliteKeyStore({ path, hasher: nodeHasher });
    await store.migrate();
    expect(existsSync(path)).toBe(true);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      const tables = raw
        .prepare("select name from sqlite_master where type = 'table' order by name")
        .pluck()
        .all();
      expect(tables).toEqual(expect.arrayContaining(["keys", "audit_log", "audit_head", "outbox"]));
    } finally {
      raw.close();
      await store.close();
    }
  });

  it("migrates idempotently, also when several stores migrate one new file at once", async () => {
    const path = join(dir, "race.db");
    const stores = Array.from({ length: 4 }, () => new SqliteKeyStore({ path, hasher: nodeHasher }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      await Promise.all(stores.map((s) => s.migrate()));
      await expect(stores[0]?.ping()).resolves.toBeUndefined();
      expect(await stores[1]?.auditHead()).toBeNull();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("reports a path that cannot be opened as STORE_UNAVAILABLE, not a driver error", async () => {
    const blocker = join(dir, "not-a-directory");
    writeFileSync(blocker, "x");
    const store = new SqliteKeyStore({ path: join(blocker, "keygate.db"), hasher: nodeHasher });
    const error = await expectUnavailable(store.migrate());
    expect(error.detail).not.toContain(blocker);
    await expectUnavailable(store.ping());
    await store.close();
  });

  it("reports a file that is not a database as STORE_UNAVAILABLE", async () => {
    const path = join(dir, "garbage.db");
    writeFileSync(
      path,
      "this is not an SQLite database, just text that is long enough to be read as a header",
    );
    const store = new SqliteKeyStore({ path, hasher: nodeHasher });
    await expectUnavailable(store.migrate());
    await store.close();
  });

  it("reports use after close as STORE_UNAVAILABLE", async () => {
    const store = new SqliteKeyStore({ path: join(dir, "closed.db"), hasher: nodeHasher });
    await store.migrate();
    await store.close();
    await expectUnavailable(store.ping());
    await expectUnavailable(store.commit({ writes: [], audit: [], events: [] }));
  });

  it("gives up with STORE_UNAVAILABLE when another connection holds the write lock too long", async () => {
    const path = join(dir, "locked.db");
    const store = new SqliteKeyStore({ path, hasher: nodeHasher, busyTimeoutMs: 200 });
    await store.migrate();
    const holder = new Database(path);
    holder.exec("begin immediate");
    try {
      const started = Date.now();
      const error = await expectUnavailable(store.commit({ writes: [], audit: [], events: [] }));
      expect(error.detail).toMatch(/locked/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      // Reads are not blocked by a writer in WAL mode.
      await expect(store.listPlans()).resolves.toEqual([]);
    } finally {
      holder.exec("rollback");
      holder.close();
    }
    await expect(store.commit({ writes: [], audit: [], events: [] })).resolves.toEqual({
      ok: true,
      auditSeqs: [],
    });
    await store.close();
  });
});
