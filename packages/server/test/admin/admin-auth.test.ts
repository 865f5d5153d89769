import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdminToken, KeyStore } from "@keygate/core";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AdminAuthenticator } from "../../src/admin/admin-auth.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";
import { ManualClock, T0 } from "../verify/key-world.ts";

const TOKEN = "kgadm_refresh_ahead_test_token_0001";
const TTL = 5_000;

/** Lets the background lookup (a SQLite read, answered on a later turn) land. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("AdminAuthenticator: the token cache (real SQLite file)", () => {
  let dir: string;
  let path: string;
  let store: SqliteKeyStore;
  let clock: ManualClock;
  let reads: number;
  let failReads: boolean;
  let auth: AdminAuthenticator;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-admin-auth-"));
    path = join(dir, "keygate.db");
    store = new SqliteKeyStore({ path, hasher: nodeHasher });
    await store.migrate();
    const token: AdminToken = {
      id: "adm_1",
      name: "ops",
      hash: nodeHasher.sha256Hex(TOKEN),
      role: "admin",
      createdAt: T0,
      expiresAt: null,
      lastUsedAt: null,
      createdBy: null,
      revokedAt: null,
    };
    expect(
      (await store.commit({ writes: [{ type: "insertAdminToken", token }], audit: [], events: [] })).ok,
    ).toBe(true);
    clock = new ManualClock(T0);
    reads = 0;
    failReads = false;
    // The real store, with its token reads counted (and made to fail on demand, as with the store down).
    const counted: Pick<KeyStore, "findAdminTokenByHash"> = {
      findAdminTokenByHash: async (hash) => {
        reads++;
        if (failReads) throw new Error("store unavailable");
        return store.findAdminTokenByHash(hash);
      },
    };
    auth = new AdminAuthenticator({
      store: counted as KeyStore,
      hasher: nodeHasher,
      clock,
      ttlMs: TTL,
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const revokeInDatabase = (at: number) => {
    const db = new Database(path);
    db.prepare("UPDATE admin_tokens SET revoked_at = ? WHERE id = ?").run(at, "adm_1");
    db.close();
  };
  const authenticate = () => auth.authenticate(`Bearer ${TOKEN}`);

  it("looks a token in use up again in the background, so calls never wait on the store while it stays valid", async () => {
    expect((await authenticate()).id).toBe("adm_1");
    expect(reads).toBe(1);
    clock.advance(TTL / 2 - 1);
    await authenticate();
    expect(reads).toBe(1); // fresh: no read
    clock.advance(1);
    await authenticate(); // half its life: answered from the entry, one read started behind it
    await authenticate();
    expect(reads).toBe(2);
    await settle();
    // The refreshed entry lives a full TTL from its read: well past the first entry's end.
    clock.advance(TTL - 1);
    await authenticate();
    expect(reads).toBe(3); // refreshed again at its half-life, never waited on
  });

  it("refuses a token revoked in the database within one TTL, in use or not", async () => {
    await authenticate();
    revokeInDatabase(T0 + 1);
    // In use: refused once the background read after half the TTL has landed.
    clock.advance(TTL / 2);
    await expect(authenticate()).resolves.toMatchObject({ id: "adm_1" });
    await settle();
    await expect(authenticate()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("never uses an entry past its TTL: idle, the next call reads the store itself", async () => {
    await authenticate();
    revokeInDatabase(T0 + 1);
    clock.advance(TTL);
    await expect(authenticate()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(reads).toBe(2);
  });

  it("lets an entry run out when its background read fails, then answers STORE_UNAVAILABLE", async () => {
    await authenticate();
    failReads = true;
    clock.advance(TTL / 2);
    await authenticate(); // the background read fails
    await settle();
    clock.advance(TTL / 2 - 1);
    await expect(authenticate()).resolves.toMatchObject({ id: "adm_1" });
    expect(reads).toBe(2); // one failed background read per entry, no retry storm
    clock.advance(1);
    await expect(authenticate()).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
  });
});
