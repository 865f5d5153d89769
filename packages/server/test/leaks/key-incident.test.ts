import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "../admin/support/admin-harness.ts";
import { expectDeclared, expectProblem } from "../admin/support/declared.ts";
import { createLeakWorld, type LeakWorld } from "./support/leak-fixtures.ts";

interface IncidentBody {
  rotation: { id: string; oldKeyId: string; newKeyId: string; state: string };
  key: { id: string; version: number };
  secret: string;
  propagation: { changeId: string; nodes: number; acknowledged: number };
}

/** `POST /v1/keys/{id}/incident`: the leak path for an operator who knows the key id. */
describe("POST /v1/keys/{id}/incident", () => {
  let w: LeakWorld;

  beforeAll(async () => {
    w = await createLeakWorld({ action: "revoke", overlapSeconds: 300 });
  });
  afterAll(async () => {
    await w.close();
  });

  const incident = (keyId: string, token?: string | null) =>
    w.h.call({ method: "POST", url: `/v1/keys/${keyId}/incident?wait=true`, token });

  it("rolls the key over at once and records key.leaked with source operator, in one commit", async () => {
    const key = await w.issueKey();
    const before = await w.h.auditLength();
    const body = expectDeclared<IncidentBody>(await incident(key.id), "reportKeyIncident", 201);
    w.h.secrets.push(body.secret);
    expect(body.rotation).toMatchObject({ oldKeyId: key.id, newKeyId: body.key.id, state: "completed" });
    expect(body.key.version).toBe(2);
    expect(body.propagation).toMatchObject({ nodes: 1, acknowledged: 1 });

    expect(await w.verify(key.secret)).toMatchObject({ valid: false, code: "KEY_EXPIRED" });
    expect(await w.verify(body.secret)).toMatchObject({ valid: true });

    const added = (await w.h.store.listAudit({ limit: 1000 })).filter((e) => e.seq > before);
    expect(added.map((e) => e.action)).toEqual(["key.leaked", "key.rotate_emergency"]);
    expect(added[0]?.actor.type).toBe("admin");
    expect(added[0]?.data).toMatchObject({
      keyId: key.id,
      source: "operator",
      action: "rotate",
      overlapSeconds: 0,
    });
    const events = await w.h.store.claimOutbox(Date.parse("2100-01-01T00:00:00Z"), 1000, 0);
    const leaked = events.filter((e) => e.type === "key.leaked" && e.data.keyId === key.id);
    expect(leaked).toHaveLength(1);
    expect(leaked[0]?.data.source).toBe("operator");
  });

  it("is a 409 for a key that cannot be rolled over, a 404 for an unknown one, and 403 for a read token", async () => {
    const revoked = await w.issueKey();
    await w.h.call({ method: "POST", url: `/v1/keys/${revoked.id}/revoke`, body: {} });
    const rotated = await w.issueKey();
    await w.h.call({ method: "POST", url: `/v1/keys/${rotated.id}/rotate`, body: { overlapSeconds: 600 } });
    const untouched = await w.issueKey();
    const before = await w.h.auditLength();

    expectProblem(await incident(revoked.id), 409, "CONFLICT");
    expectProblem(await incident(rotated.id), 409, "CONFLICT");
    expectProblem(await incident("key_0V70MWDgEjExtokM1T5ObJ"), 404, "NOT_FOUND");
    expectProblem(await incident(untouched.id, w.h.readToken), 403, "FORBIDDEN");
    expectProblem(await incident(untouched.id, null), 401, "UNAUTHENTICATED");

    expect(await w.h.auditLength()).toBe(before);
    expect(await w.verify(untouched.secret)).toMatchObject({ valid: true });
  });

  it("keeps secrets out of the audit log, the outbox and the logs", async () => {
    const stored = JSON.stringify({
      audit: await w.h.store.listAudit({ limit: 1000 }),
      outbox: await w.h.store.claimOutbox(Date.parse("2100-01-01T00:00:00Z"), 1000, 0),
    });
    const logged = w.lines.join("\n");
    expect(json(await w.h.call({ method: "GET", url: "/v1/audit?limit=1000" }))).toBeDefined();
    for (const secret of w.h.secrets) {
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
  });
});
