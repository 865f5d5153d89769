import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { createKeyStore } from "../../src/store/create-key-store.ts";
import { createHarness, type Harness, type StoreBackend } from "./support/admin-harness.ts";
import { expectDeclared } from "./support/declared.ts";

/** A SQLite backend whose file the test can open behind the store's back. */
function sqliteFileBackend(path: string): StoreBackend {
  return {
    name: "sqlite-file",
    async create() {
      const store = createKeyStore(`sqlite:${path}`, { hasher: nodeHasher });
      await store.migrate();
      return { store, cleanup: () => store.close() };
    },
  };
}

describe("GET /v1/audit/verify against a tampered SQLite file", () => {
  let dir: string | undefined;
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function seeded(): Promise<{ h: Harness; db: Database.Database }> {
    dir = mkdtempSync(join(tmpdir(), "keygate-audit-"));
    const path = join(dir, "keygate.db");
    h = await createHarness({ backend: sqliteFileBackend(path) });
    for (const name of ["a", "b", "c", "d"]) {
      expectDeclared(
        await h.call({ method: "POST", url: "/v1/consumers", body: { name } }),
        "createConsumer",
        201,
      );
    }
    const verdict = expectDeclared<{ ok: boolean; entries: number }>(
      await h.call({ method: "GET", url: "/v1/audit/verify" }),
      "verifyAudit",
      200,
    );
    // The harness's own token entries, then the four consumers.
    expect(verdict).toMatchObject({ ok: true, entries: await h.auditLength() });
    expect(verdict.entries).toBeGreaterThanOrEqual(7);
    return { h, db: new Database(path) };
  }

  it("names an edited entry", async () => {
    const { h, db } = await seeded();
    db.prepare("UPDATE audit_log SET action = 'consumer.delete' WHERE seq = 5").run();
    db.close();
    const verdict = expectDeclared(
      await h.call({ method: "GET", url: "/v1/audit/verify" }),
      "verifyAudit",
      200,
    );
    expect(verdict).toEqual({ ok: false, seq: 5, problem: "edited" });
  });

  it("names a deleted entry in the middle, and a truncated tail", async () => {
    const { h, db } = await seeded();
    db.prepare("DELETE FROM audit_log WHERE seq = 6").run();
    expect(
      expectDeclared(await h.call({ method: "GET", url: "/v1/audit/verify" }), "verifyAudit", 200),
    ).toEqual({
      ok: false,
      seq: 6,
      problem: "missing",
    });
    db.prepare("DELETE FROM audit_log WHERE seq >= 6").run();
    db.close();
    expect(
      expectDeclared(await h.call({ method: "GET", url: "/v1/audit/verify" }), "verifyAudit", 200),
    ).toEqual({
      ok: false,
      seq: 6,
      problem: "missing",
    });
  });
});
