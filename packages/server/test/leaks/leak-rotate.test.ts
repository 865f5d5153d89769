import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "../admin/support/admin-harness.ts";
import { createLeakWorld, type LeakWorld, leakPayload } from "./support/leak-fixtures.ts";

interface KeyBody {
  id: string;
  version: number;
  status: string;
  lineageId: string;
}

/** `leaks: {action: "rotate", overlapSeconds: 300}`: a successor now, the leaked key dead in five minutes. */
describe("POST /v1/leaks (rotate with a short overlap)", () => {
  let w: LeakWorld;

  beforeAll(async () => {
    w = await createLeakWorld({ action: "rotate", overlapSeconds: 300 });
  });
  afterAll(async () => {
    await w.close();
  });

  const keysOf = async (consumerId: string) =>
    json<{ data: KeyBody[] }>(await w.h.call({ method: "GET", url: `/v1/keys?consumerId=${consumerId}` }))
      .data;

  it("issues a successor; the leaked key works until the overlap ends, then is refused", async () => {
    const key = await w.issueKey();
    const res = await w.report(leakPayload([key.secret]));
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Array<{ label: string }>>(res)[0]?.label).toBe("true_positive");

    // Ids sort by creation millisecond; both keys share the fake clock's, so order by version.
    const keys = (await keysOf(key.consumerId)).sort((a, b) => a.version - b.version);
    expect(keys.map((k) => [k.version, k.status])).toEqual([
      [1, "deprecated"],
      [2, "active"],
    ]);
    const stored = await w.h.store.getKey(key.id);
    expect(stored?.sunsetAt).toBe(w.h.clock.now() + 300_000);

    const added = (await w.h.store.listAudit({ limit: 1000 })).filter((e) => e.targetId === key.id);
    expect(added.map((e) => e.action)).toEqual(["key.create", "key.leaked", "key.rotate"]);
    expect(added[1]?.data).toMatchObject({ action: "rotate", overlapSeconds: 300 });
    expect(added[2]?.actor).toEqual({ type: "system", id: "github-secret-scanning" });

    expect(await w.verify(key.secret)).toMatchObject({ valid: true });
    w.h.clock.advance(299_000);
    expect(await w.verify(key.secret)).toMatchObject({ valid: true });
    w.h.clock.advance(1_000);
    expect(await w.verify(key.secret)).toMatchObject({ valid: false, code: "KEY_EXPIRED" });
  });

  it("leaves a key already dying within the overlap alone when it is reported again", async () => {
    const key = await w.issueKey();
    expect((await w.report(leakPayload([key.secret]))).statusCode).toBe(200);
    w.h.clock.advance(10_000);
    const again = await w.report(leakPayload([key.secret]));
    expect(json<Array<{ label: string }>>(again)[0]?.label).toBe("true_positive");
    // The key keeps its overlap. The successor the first report minted is a successor of a leaked key,
    // so the second report revokes it (its secret was never handed to anyone); a third changes nothing.
    const stored = await w.h.store.getKey(key.id);
    expect(stored?.status).toBe("deprecated");
    const keys = (await keysOf(key.consumerId)).sort((a, b) => a.version - b.version);
    expect(keys.map((k) => [k.version, k.status])).toEqual([
      [1, "deprecated"],
      [2, "revoked"],
    ]);
    const after = await w.h.auditLength();
    await w.report(leakPayload([key.secret]));
    expect(await w.h.auditLength()).toBe(after);
  });

  it("revokes a leaked key that is deprecated with a long overlap, and the successor it already has", async () => {
    const key = await w.issueKey();
    const rotated = json<{ secret: string; key: { id: string } }>(
      await w.h.call({ method: "POST", url: `/v1/keys/${key.id}/rotate`, body: { overlapSeconds: 86_400 } }),
    );
    w.h.secrets.push(rotated.secret);
    const res = await w.report(leakPayload([key.secret]));
    expect(json<Array<{ label: string }>>(res)[0]?.label).toBe("true_positive");
    expect(await w.verify(key.secret)).toMatchObject({ valid: false, code: "KEY_REVOKED" });
    // Who rotated it cannot be told from the key: the holder of the leaked key may have (security review 1).
    expect(await w.verify(rotated.secret)).toMatchObject({ valid: false, code: "KEY_REVOKED" });
    expect(await w.h.store.getKey(key.id)).toMatchObject({ status: "revoked", revokedReason: "leaked" });
  });

  it("never puts a reported token or a minted secret in the audit log, the outbox or a log line", async () => {
    const stored = JSON.stringify({
      audit: await w.h.store.listAudit({ limit: 1000 }),
      outbox: await w.h.store.claimOutbox(Date.parse("2100-01-01T00:00:00Z"), 1000, 0),
    });
    const logged = w.lines.join("\n");
    for (const secret of w.h.secrets) {
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
  });
});
