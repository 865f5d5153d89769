import type { Change } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueKey } from "../../src/services/issue-key.ts";
import { fenceIdOf } from "../../src/services/revocation-fence.ts";
import { createHarness, type Harness, json, sqliteBackend } from "./support/admin-harness.ts";
import { expectDeclared, expectProblem } from "./support/declared.ts";

interface RevokeManyBody {
  revoked: number;
  keyIds: string[];
  alreadyRevoked: string[];
  propagation: { changeId: string; nodes: number; acknowledged: number };
}

const actor = { type: "system" as const, id: "test" };

describe("POST /v1/keys/revoke (mass revocation), on SQLite", () => {
  let h: Harness;
  const changes: Change[] = [];

  beforeAll(async () => {
    h = await createHarness({ backend: sqliteBackend });
    h.bus.subscribe((change) => void changes.push(change));
  });
  afterAll(async () => {
    await h.close();
  });

  async function consumerWithKeys(count: number) {
    const consumer = json<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: `c${count}` } }),
    );
    const keys: Array<{ id: string; secret: string }> = [];
    for (let i = 0; i < count; i++) {
      const { key, secret } = await issueKey(h.deps, actor, consumer.id, { name: `k${i}` });
      keys.push({ id: key.id, secret });
    }
    return { consumerId: consumer.id, keys };
  }

  async function verifyCode(secret: string): Promise<string> {
    return json<{ code: string }>(await h.call({ method: "POST", url: "/v1/verify", body: { key: secret } }))
      .code;
  }

  it("revokes listed keys in one change, skips already revoked ones, completes the rotation of a revoked old key", async () => {
    const { keys } = await consumerWithKeys(3);
    const [a, b, c] = keys;
    if (a === undefined || b === undefined || c === undefined) throw new Error("no keys");
    for (const key of keys) expect(await verifyCode(key.secret)).toBe("VALID");
    const rotation = json<{ rotation: { id: string }; key: { id: string } }>(
      await h.call({ method: "POST", url: `/v1/keys/${a.id}/rotate`, body: { overlapSeconds: 3600 } }),
    );
    expect((await h.call({ method: "POST", url: `/v1/keys/${c.id}/revoke` })).statusCode).toBe(200);
    const auditBefore = await h.auditLength();
    changes.length = 0;

    const body = expectDeclared<RevokeManyBody>(
      await h.call({
        method: "POST",
        url: "/v1/keys/revoke",
        body: { keyIds: [a.id, b.id, c.id, b.id], reason: "incident-42" },
      }),
      "revokeKeys",
      200,
    );
    expect(body.revoked).toBe(2);
    expect(body.keyIds.sort()).toEqual([a.id, b.id].sort());
    expect(body.alreadyRevoked).toEqual([c.id]);
    // The fence first (every node refuses them before the transaction), then the committed change.
    expect(changes.map((change) => change.fence)).toEqual(["revoke", undefined]);
    expect(changes[0]?.id).toBe(fenceIdOf(body.propagation.changeId));
    for (const change of changes) expect([...change.keyIds].sort()).toEqual([a.id, b.id].sort());
    expect(body.propagation.changeId).toBe(changes[1]?.id);
    for (const key of keys) expect(await verifyCode(key.secret)).toBe("KEY_REVOKED");
    // The successor of the rotated key is untouched; its rotation completed with the revocation.
    const got = json<{ state: string; completedReason: string }>(
      await h.call({ method: "GET", url: `/v1/rotations/${rotation.rotation.id}` }),
    );
    expect(got).toMatchObject({ state: "completed", completedReason: "manual" });
    const stored = await h.store.getKey(a.id);
    expect(stored).toMatchObject({ status: "revoked", revokedReason: "incident-42" });
    expect(await h.auditLength()).toBe(auditBefore + 2);
  });

  it("writes nothing when one id is unknown (404) and refuses a body with both or neither target (400)", async () => {
    const { consumerId, keys } = await consumerWithKeys(2);
    const ids = keys.map((key) => key.id);
    const auditBefore = await h.auditLength();
    const missing = "key_0V70MWDgEjExtokM1T5ObJ";
    const problem = expectProblem(
      await h.call({ method: "POST", url: "/v1/keys/revoke", body: { keyIds: [...ids, missing] } }),
      404,
      "NOT_FOUND",
    );
    expect(problem.detail).toContain(missing);
    expect(await h.auditLength()).toBe(auditBefore);
    for (const key of keys) expect(await verifyCode(key.secret)).toBe("VALID");
    expectProblem(
      await h.call({ method: "POST", url: "/v1/keys/revoke", body: { keyIds: ids, consumerId } }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(
      await h.call({ method: "POST", url: "/v1/keys/revoke", body: {} }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("takes 10,000 ids in one body (above the port's 64 KiB limit) and refuses 10,001", async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `key_${String(i).padStart(22, "0")}`);
    expect(JSON.stringify({ keyIds: ids }).length).toBeGreaterThan(64 * 1024);
    expectProblem(
      await h.call({ method: "POST", url: "/v1/keys/revoke", body: { keyIds: ids } }),
      404,
      "NOT_FOUND",
    );
    expectProblem(
      await h.call({ method: "POST", url: "/v1/keys/revoke", body: { keyIds: [...ids, "key_x"] } }),
      400,
      "VALIDATION_FAILED",
    );
    // Other routes keep the port's limit.
    expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/consumers",
        body: { name: "x", metadata: { pad: "x".repeat(70_000) } },
      }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("revokes every key of a consumer (1,200: more audit rows and events than one INSERT takes) with one consumer change", async () => {
    const { consumerId, keys } = await consumerWithKeys(1200);
    const other = await consumerWithKeys(1);
    const auditBefore = await h.auditLength();
    changes.length = 0;
    const body = expectDeclared<RevokeManyBody>(
      await h.call({ method: "POST", url: "/v1/keys/revoke", body: { consumerId } }),
      "revokeKeys",
      200,
    );
    expect(body.revoked).toBe(1200);
    expect(changes.map((change) => [change.fence, change.keyIds.length, change.consumerIds])).toEqual([
      ["revoke", 1200, []],
      [undefined, 0, [consumerId]],
    ]);
    expect(await h.auditLength()).toBe(auditBefore + 1200);
    const verified = await h.call({ method: "GET", url: "/v1/audit/verify" });
    expect(json<{ ok: boolean }>(verified).ok).toBe(true);
    for (const key of [keys[0], keys[599], keys[1199]])
      expect(await verifyCode(key?.secret ?? "")).toBe("KEY_REVOKED");
    expect(await verifyCode(other.keys[0]?.secret ?? "")).toBe("VALID");
    expectProblem(
      await h.call({ method: "POST", url: "/v1/keys/revoke", body: { consumerId } }),
      409,
      "CONFLICT",
    );
  });
});
