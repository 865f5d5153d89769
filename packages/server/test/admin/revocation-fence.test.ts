import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Change, CommitResult, UnitOfWork } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { fenceIdOf, liftIdOf } from "../../src/services/revocation-fence.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";
import { createHarness, type Harness, json, type StoreBackend } from "./support/admin-harness.ts";
import { expectDeclared, expectProblem } from "./support/declared.ts";

/** A real SQLite store whose next commit can be held at the door, then let through or failed. */
class GatedSqliteStore extends SqliteKeyStore {
  #gate: { opened: Promise<"commit" | "fail"> } | undefined;
  #open: ((how: "commit" | "fail") => void) | undefined;
  arrived: Promise<void> = Promise.resolve();

  holdNextCommit(): void {
    let signal: () => void = () => {};
    this.arrived = new Promise<void>((resolve) => {
      signal = resolve;
    });
    const arrivedSignal = signal;
    this.#gate = {
      opened: new Promise((resolve) => {
        this.#open = (how) => resolve(how);
      }),
    };
    this.#arrivedSignal = arrivedSignal;
  }

  #arrivedSignal: (() => void) | undefined;

  release(how: "commit" | "fail"): void {
    this.#open?.(how);
  }

  /** While set, reading a key (by id or by hash) fails as with the database gone. */
  readsFail = false;

  override async getKey(id: string) {
    if (this.readsFail) throw new Error("connection refused (test)");
    return super.getKey(id);
  }

  override async findKeyByHash(hash: string) {
    if (this.readsFail) throw new Error("connection refused (test)");
    return super.findKeyByHash(hash);
  }

  override async commit(unit: UnitOfWork): Promise<CommitResult> {
    const gate = this.#gate;
    if (gate !== undefined) {
      this.#gate = undefined;
      this.#arrivedSignal?.();
      if ((await gate.opened) === "fail") throw new Error("connection lost mid-transaction (test)");
    }
    return super.commit(unit);
  }
}

describe("deny-first revocation (fence, commit, change; lift when the commit fails, release when it was refused first), on SQLite", () => {
  let h: Harness;
  let store: GatedSqliteStore;
  let dir: string;
  const changes: Change[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-fence-"));
    const backend: StoreBackend = {
      name: "gated sqlite",
      async create() {
        store = new GatedSqliteStore({ path: join(dir, "keygate.db"), hasher: nodeHasher });
        await store.migrate();
        return { store, cleanup: () => store.close() };
      },
    };
    h = await createHarness({ backend });
    h.bus.subscribe((change) => void changes.push(change));
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function newKey(): Promise<{ id: string; secret: string }> {
    const consumer = json<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "Fenced" } }),
    );
    const created = json<{ key: { id: string }; secret: string }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumer.id}/keys`, body: { name: "k" } }),
    );
    h.secrets.push(created.secret);
    return { id: created.key.id, secret: created.secret };
  }

  async function verifyCode(secret: string): Promise<string> {
    return json<{ code: string }>(await h.call({ method: "POST", url: "/v1/verify", body: { key: secret } }))
      .code;
  }

  it("refuses the key while its revocation is still uncommitted, then publishes the change under the fenced id", async () => {
    const key = await newKey();
    expect(await verifyCode(key.secret)).toBe("VALID");
    changes.length = 0;
    store.holdNextCommit();
    const revoking = h.call({ method: "POST", url: `/v1/keys/${key.id}/revoke` });
    await store.arrived;

    expect((await store.getKey(key.id))?.status).toBe("active");
    expect(await verifyCode(key.secret)).toBe("KEY_REVOKED");
    expect(changes.map((change) => change.fence)).toEqual(["revoke"]);

    store.release("commit");
    const body = expectDeclared<{ propagation: { changeId: string } }>(await revoking, "revokeKey", 200);
    expect(changes.map((change) => [change.id, change.fence, change.keyIds])).toEqual([
      [fenceIdOf(body.propagation.changeId), "revoke", [key.id]],
      [body.propagation.changeId, undefined, [key.id]],
    ]);
    expect((await store.getKey(key.id))?.status).toBe("revoked");
    expect(await verifyCode(key.secret)).toBe("KEY_REVOKED");
  });

  it("lifts the fence when the commit fails: the key works again and nothing was written", async () => {
    const key = await newKey();
    expect(await verifyCode(key.secret)).toBe("VALID");
    const auditBefore = await h.auditLength();
    changes.length = 0;
    store.holdNextCommit();
    const revoking = h.call({ method: "POST", url: `/v1/keys/${key.id}/revoke` });
    await store.arrived;
    expect(await verifyCode(key.secret)).toBe("KEY_REVOKED");

    store.release("fail");
    expect((await revoking).statusCode).toBe(500);
    const fenceId = changes[0]?.id ?? "";
    expect(changes.map((change) => [change.id, change.fence])).toEqual([
      [fenceId, "revoke"],
      [liftIdOf(fenceId.replace(/\.fence$/, "")), "lift"],
    ]);
    expect(await verifyCode(key.secret)).toBe("VALID");
    expect((await store.getKey(key.id))?.status).toBe("active");
    expect(await h.auditLength()).toBe(auditBefore);
  });

  it("releases the fence of a revocation refused before anything is written: unknown key, already revoked", async () => {
    const key = await newKey();
    expectDeclared(await h.call({ method: "POST", url: `/v1/keys/${key.id}/revoke` }), "revokeKey", 200);
    changes.length = 0;
    expectProblem(await h.call({ method: "POST", url: `/v1/keys/${key.id}/revoke` }), 409, "CONFLICT");
    const unknown = "key_0V70MWDgEjExtokM1T5ObJ";
    expectProblem(await h.call({ method: "POST", url: `/v1/keys/${unknown}/revoke` }), 404, "NOT_FOUND");
    expect(changes.map((change) => [change.fence, change.keyIds])).toEqual([
      ["revoke", [key.id]],
      ["release", [key.id]],
      ["revoke", [unknown]],
      ["release", [unknown]],
    ]);
    expect(await verifyCode(key.secret)).toBe("KEY_REVOKED");
  });

  it("keeps a cached key working when its revocation fails on the store: the release leaves the cache as it was", async () => {
    const key = await newKey();
    expect(await verifyCode(key.secret)).toBe("VALID"); // cached now
    const auditBefore = await h.auditLength();
    changes.length = 0;
    store.readsFail = true;
    try {
      const refused = await h.call({ method: "POST", url: `/v1/keys/${key.id}/revoke` });
      expect(refused.statusCode).toBeGreaterThanOrEqual(500);
      expect(changes.map((change) => change.fence)).toEqual(["revoke", "release"]);
      // Still answered from the cache (the store cannot be read): a lift would have dropped the entry.
      expect(await verifyCode(key.secret)).toBe("VALID");
    } finally {
      store.readsFail = false;
    }
    expect((await store.getKey(key.id))?.status).toBe("active");
    expect(await h.auditLength()).toBe(auditBefore);
  });
});
