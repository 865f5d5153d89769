import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHarness,
  type Harness,
  memoryBackend,
  type StoreBackend,
  sqliteBackend,
} from "./support/admin-harness.ts";
import { expectDeclared, expectProblem } from "./support/declared.ts";

interface KeyBody {
  id: string;
  consumerId: string;
  version: number;
  status: string;
  hint: string;
  lineageId: string;
  deprecatedAt: string | null;
  sunsetAt: string | null;
  revokedReason: string | null;
}
interface RotationBody {
  id: string;
  oldKeyId: string;
  newKeyId: string;
  state: string;
  sunsetAt: string;
  completedReason: string | null;
}
interface Propagation {
  changeId: string;
  nodes: number;
  acknowledged: number;
}
interface Verified {
  valid: boolean;
  code: string;
  keyId?: string;
  deprecated?: boolean;
  sunsetAt?: string | null;
}

const HOUR = 3_600_000;

describe.each<StoreBackend>([memoryBackend, sqliteBackend])("admin API flows ($name store)", (backend) => {
  let h: Harness;
  let consumerId: string;

  const verify = async (key: string, scopes?: string[]) =>
    expectDeclared<Verified>(
      await h.call({ method: "POST", url: "/v1/verify", body: scopes ? { key, scopes } : { key } }),
      "verifyKey",
      200,
    );

  beforeAll(async () => {
    h = await createHarness({ backend });
  });
  afterAll(async () => {
    await h.close();
  });

  it("puts and lists plans", async () => {
    const put = expectDeclared<{ plan: { name: string }; propagation: Propagation }>(
      await h.call({
        method: "PUT",
        url: "/v1/plans/pro",
        body: { rateLimit: { limit: 600, windowSeconds: 60 }, quota: { limit: 500_000, period: "month" } },
      }),
      "putPlan",
      200,
    );
    expect(put.plan.name).toBe("pro");
    expect(put.propagation).toMatchObject({ nodes: 1, acknowledged: 1 });
    const list = expectDeclared<{ data: { name: string }[]; next: null }>(
      await h.call({ method: "GET", url: "/v1/plans", token: h.readToken }),
      "listPlans",
      200,
    );
    expect(list.data.map((p) => p.name)).toEqual(["pro"]);
  });

  it("creates, pages through, reads and updates consumers", async () => {
    const created = expectDeclared<{ id: string; plan: string; rotationPolicy: unknown }>(
      await h.call({
        method: "POST",
        url: "/v1/consumers",
        body: {
          name: "Acme",
          plan: "pro",
          metadata: { tier: "gold" },
          rotationPolicy: { overlapSeconds: 7200 },
        },
      }),
      "createConsumer",
      201,
    );
    consumerId = created.id;
    expect(created.rotationPolicy).toEqual({
      maxAgeDays: null,
      overlapSeconds: 7200,
      notifyBeforeDays: null,
    });
    for (const name of ["B", "C"]) {
      h.clock.advance(1);
      expectDeclared(
        await h.call({ method: "POST", url: "/v1/consumers", body: { name } }),
        "createConsumer",
        201,
      );
    }
    const first = expectDeclared<{ data: { id: string }[]; next: string | null }>(
      await h.call({ method: "GET", url: "/v1/consumers?limit=2" }),
      "listConsumers",
      200,
    );
    expect(first.data).toHaveLength(2);
    expect(first.next).toBe(first.data[1]?.id);
    const second = expectDeclared<{ data: { id: string }[]; next: string | null }>(
      await h.call({ method: "GET", url: `/v1/consumers?limit=2&after=${first.next}` }),
      "listConsumers",
      200,
    );
    expect(second.data).toHaveLength(1);
    expect(second.next).toBeNull();
    const ids = [...first.data, ...second.data].map((c) => c.id);
    expect(new Set(ids).size).toBe(3);

    const read = expectDeclared<{ name: string }>(
      await h.call({ method: "GET", url: `/v1/consumers/${consumerId}`, token: h.readToken }),
      "getConsumer",
      200,
    );
    expect(read.name).toBe("Acme");
    const patched = expectDeclared<{
      consumer: { name: string; plan: string | null };
      propagation: Propagation;
    }>(
      await h.call({ method: "PATCH", url: `/v1/consumers/${consumerId}`, body: { name: "Acme Corp" } }),
      "updateConsumer",
      200,
    );
    expect(patched.consumer).toMatchObject({ name: "Acme Corp", plan: "pro" });
    expect(patched.propagation.acknowledged).toBe(1);
    expectProblem(await h.call({ method: "GET", url: "/v1/consumers/con_doesnotexist" }), 404, "NOT_FOUND");
    const unknownPlan = expectProblem(
      await h.call({ method: "PATCH", url: `/v1/consumers/${consumerId}`, body: { plan: "nope" } }),
      400,
      "VALIDATION_FAILED",
    );
    expect(unknownPlan.errors?.[0]?.path).toBe("/body/plan");
  });

  it("issues a key, rotates, refuses a second rotation of the old key, rolls back, rotates again and completes", async () => {
    const issued = expectDeclared<{ key: KeyBody; secret: string; propagation: Propagation }>(
      await h.call({
        method: "POST",
        url: `/v1/consumers/${consumerId}/keys`,
        body: { name: "Production", scopes: ["read"] },
      }),
      "createKey",
      201,
    );
    h.secrets.push(issued.secret);
    expect(issued.key).toMatchObject({ version: 1, status: "active", consumerId });
    expect(issued.secret.startsWith(issued.key.hint.slice(0, 12))).toBe(true);
    expect(await verify(issued.secret, ["read"])).toMatchObject({
      valid: true,
      code: "VALID",
      keyId: issued.key.id,
    });
    expect(await verify(issued.secret, ["trade"])).toMatchObject({ valid: false, code: "SCOPE_DENIED" });

    const listed = expectDeclared<{ data: KeyBody[] }>(
      await h.call({ method: "GET", url: `/v1/keys?consumerId=${consumerId}`, token: h.readToken }),
      "listKeys",
      200,
    );
    expect(listed.data.map((k) => k.id)).toEqual([issued.key.id]);

    // Rotation: the consumer's policy gives the overlap (7200 s) when none is asked for.
    const rotated = expectDeclared<{ rotation: RotationBody; key: KeyBody; secret: string; oldKey: KeyBody }>(
      await h.call({ method: "POST", url: `/v1/keys/${issued.key.id}/rotate` }),
      "rotateKey",
      201,
    );
    h.secrets.push(rotated.secret);
    expect(rotated.key).toMatchObject({ version: 2, status: "active", lineageId: issued.key.lineageId });
    expect(rotated.oldKey.status).toBe("deprecated");
    expect(Date.parse(rotated.rotation.sunsetAt) - h.clock.now()).toBe(7200 * 1000);
    const oldVerdict = await verify(issued.secret);
    expect(oldVerdict).toMatchObject({ valid: true, deprecated: true, sunsetAt: rotated.rotation.sunsetAt });
    expect(await verify(rotated.secret)).toMatchObject({ valid: true, deprecated: false });

    expectProblem(
      await h.call({ method: "POST", url: `/v1/keys/${issued.key.id}/rotate`, body: {} }),
      409,
      "CONFLICT",
    );

    const rolledBack = expectDeclared<{ rotation: RotationBody; oldKey: KeyBody; newKey: KeyBody }>(
      await h.call({ method: "POST", url: `/v1/rotations/${rotated.rotation.id}/rollback?wait=true` }),
      "rollbackRotation",
      200,
    );
    expect(rolledBack.rotation.state).toBe("rolled_back");
    expect(rolledBack.oldKey.status).toBe("active");
    expect(rolledBack.newKey).toMatchObject({ status: "revoked", revokedReason: "rolled_back" });
    expect(await verify(rotated.secret)).toMatchObject({ valid: false, code: "KEY_REVOKED" });
    expect(await verify(issued.secret)).toMatchObject({ valid: true, deprecated: false });
    expectProblem(
      await h.call({ method: "POST", url: `/v1/rotations/${rotated.rotation.id}/rollback` }),
      409,
      "CONFLICT",
    );
    expectProblem(
      await h.call({ method: "POST", url: `/v1/keys/${rotated.key.id}/rotate` }),
      409,
      "CONFLICT",
    );

    const again = expectDeclared<{ rotation: RotationBody; key: KeyBody; secret: string }>(
      await h.call({
        method: "POST",
        url: `/v1/keys/${issued.key.id}/rotate`,
        body: { overlapSeconds: 600, retire: "idle", idleSeconds: 60 },
      }),
      "rotateKey",
      201,
    );
    h.secrets.push(again.secret);
    expect(again.key.version).toBe(3);
    const completed = expectDeclared<{ rotation: RotationBody; oldKey: KeyBody }>(
      await h.call({ method: "POST", url: `/v1/rotations/${again.rotation.id}/complete`, body: {} }),
      "completeRotation",
      200,
    );
    expect(completed.rotation).toMatchObject({ state: "completed", completedReason: "manual" });
    expect(completed.oldKey.status).toBe("expired");
    expect(await verify(issued.secret)).toMatchObject({ valid: false, code: "KEY_EXPIRED" });
    expectProblem(
      await h.call({ method: "POST", url: `/v1/rotations/${again.rotation.id}/rollback` }),
      409,
      "CONFLICT",
    );
    expectProblem(
      await h.call({ method: "POST", url: `/v1/rotations/${again.rotation.id}/complete` }),
      409,
      "CONFLICT",
    );

    const completedList = expectDeclared<{ data: RotationBody[] }>(
      await h.call({ method: "GET", url: "/v1/rotations?state=completed", token: h.readToken }),
      "listRotations",
      200,
    );
    expect(completedList.data.map((r) => r.id)).toEqual([again.rotation.id]);
    const one = expectDeclared<RotationBody>(
      await h.call({ method: "GET", url: `/v1/rotations/${rotated.rotation.id}` }),
      "getRotation",
      200,
    );
    expect(one.state).toBe("rolled_back");

    // Revoke the newest key; a revoked key can be neither revoked nor rotated again.
    const revoked = expectDeclared<{ key: KeyBody }>(
      await h.call({
        method: "POST",
        url: `/v1/keys/${again.key.id}/revoke`,
        body: { reason: "leaked in a gist" },
      }),
      "revokeKey",
      200,
    );
    expect(revoked.key).toMatchObject({ status: "revoked", revokedReason: "leaked in a gist" });
    expect(await verify(again.secret)).toMatchObject({ valid: false, code: "KEY_REVOKED" });
    expectProblem(await h.call({ method: "POST", url: `/v1/keys/${again.key.id}/revoke` }), 409, "CONFLICT");
    expectProblem(await h.call({ method: "POST", url: `/v1/keys/${again.key.id}/rotate` }), 409, "CONFLICT");
    expectProblem(await h.call({ method: "POST", url: "/v1/keys/key_nosuchkey/rotate" }), 404, "NOT_FOUND");
  });

  it("requests a rotation, and the consumer rotates its own key with x-api-key or a bearer key", async () => {
    const issued = expectDeclared<{ key: KeyBody; secret: string }>(
      await h.call({
        method: "POST",
        url: `/v1/consumers/${consumerId}/keys`,
        body: { name: "Mobile", env: "test" },
      }),
      "createKey",
      201,
    );
    h.secrets.push(issued.secret);
    const sunsetAt = new Date(h.clock.now() + HOUR).toISOString();
    const requested = expectDeclared<{ key: KeyBody }>(
      await h.call({ method: "POST", url: `/v1/keys/${issued.key.id}/request-rotation`, body: { sunsetAt } }),
      "requestRotation",
      200,
    );
    expect(requested.key).toMatchObject({
      status: "active",
      sunsetAt,
      deprecatedAt: new Date(h.clock.now()).toISOString(),
    });
    expect(await verify(issued.secret)).toMatchObject({ valid: true, deprecated: true, sunsetAt });
    expectProblem(
      await h.call({
        method: "POST",
        url: `/v1/keys/${issued.key.id}/request-rotation`,
        body: { sunsetAt: "2000-01-01T00:00:00Z" },
      }),
      400,
      "VALIDATION_FAILED",
    );

    const self = expectDeclared<{ key: KeyBody; secret: string; rotation: RotationBody }>(
      await h.call({
        method: "POST",
        url: "/v1/self/rotate",
        token: null,
        headers: { "x-api-key": issued.secret },
      }),
      "selfRotate",
      201,
    );
    h.secrets.push(self.secret);
    expect(self.key).toMatchObject({
      version: 2,
      status: "active",
      consumerId,
      lineageId: issued.key.lineageId,
    });
    expect(self.secret.startsWith("kg_test_")).toBe(true);
    // The old key keeps working until the earlier of the requested sunset and the overlap's end (7200 s).
    expect(self.rotation.sunsetAt).toBe(sunsetAt);
    expect(await verify(issued.secret)).toMatchObject({ valid: true, deprecated: true });

    const audit = expectDeclared<{ data: { actor: { type: string; id: string }; action: string }[] }>(
      await h.call({ method: "GET", url: "/v1/audit?limit=1000" }),
      "listAudit",
      200,
    );
    expect(audit.data.at(-1)).toMatchObject({
      action: "key.rotate",
      actor: { type: "consumer", id: issued.key.id },
    });

    const bySecond = expectDeclared<{ key: KeyBody; secret: string }>(
      await h.call({ method: "POST", url: "/v1/self/rotate", token: self.secret }),
      "selfRotate",
      201,
    );
    h.secrets.push(bySecond.secret);
    expect(bySecond.key.version).toBe(3);
    // The deprecated predecessor is no longer the newest key of its lineage.
    expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/self/rotate",
        token: null,
        headers: { "x-api-key": self.secret },
      }),
      409,
      "CONFLICT",
    );
    expectProblem(await h.call({ method: "POST", url: "/v1/self/rotate", token: null }), 401, "KEY_MISSING");
    expectProblem(
      await h.call({ method: "POST", url: "/v1/self/rotate", token: "kg_live_nope" }),
      401,
      "KEY_MALFORMED",
    );
    expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/self/rotate",
        token: bySecond.secret,
        headers: { "x-api-key": self.secret },
      }),
      401,
      "KEY_MALFORMED",
    );
    // An admin token is not a consumer key.
    expectProblem(await h.call({ method: "POST", url: "/v1/self/rotate" }), 401, "KEY_MALFORMED");
  });

  it("shows effective status: a deprecated key past its sunset reads and filters as expired", async () => {
    const issued = expectDeclared<{ key: KeyBody; secret: string }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumerId}/keys`, body: { name: "Batch" } }),
      "createKey",
      201,
    );
    h.secrets.push(issued.secret);
    const rotated = expectDeclared<{ key: KeyBody; secret: string }>(
      await h.call({ method: "POST", url: `/v1/keys/${issued.key.id}/rotate`, body: { overlapSeconds: 60 } }),
      "rotateKey",
      201,
    );
    h.secrets.push(rotated.secret);
    const deprecated = expectDeclared<{ data: KeyBody[] }>(
      await h.call({ method: "GET", url: `/v1/keys?status=deprecated&consumerId=${consumerId}` }),
      "listKeys",
      200,
    );
    expect(deprecated.data.map((k) => k.id)).toContain(issued.key.id);
    h.clock.advance(61_000);
    const read = expectDeclared<KeyBody>(
      await h.call({ method: "GET", url: `/v1/keys/${issued.key.id}` }),
      "getKey",
      200,
    );
    expect(read.status).toBe("expired");
    const expired = expectDeclared<{ data: KeyBody[] }>(
      await h.call({ method: "GET", url: `/v1/keys?status=expired&consumerId=${consumerId}` }),
      "listKeys",
      200,
    );
    expect(expired.data.map((k) => k.id)).toContain(issued.key.id);
    expect(expired.data.every((k) => k.status === "expired")).toBe(true);
    const stillDeprecated = expectDeclared<{ data: KeyBody[] }>(
      await h.call({ method: "GET", url: `/v1/keys?status=deprecated&consumerId=${consumerId}` }),
      "listKeys",
      200,
    );
    expect(stillDeprecated.data.map((k) => k.id)).not.toContain(issued.key.id);
  });

  it("disabling a consumer reaches the verifier's cache at once", async () => {
    const issued = expectDeclared<{ key: KeyBody; secret: string }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumerId}/keys`, body: { name: "Cache" } }),
      "createKey",
      201,
    );
    h.secrets.push(issued.secret);
    expect(await verify(issued.secret)).toMatchObject({ valid: true });
    expectDeclared(
      await h.call({ method: "PATCH", url: `/v1/consumers/${consumerId}`, body: { disabled: true } }),
      "updateConsumer",
      200,
    );
    expect(await verify(issued.secret)).toMatchObject({ valid: false, code: "CONSUMER_DISABLED" });
    expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/self/rotate",
        token: null,
        headers: { "x-api-key": issued.secret },
      }),
      403,
      "CONSUMER_DISABLED",
    );
    expectDeclared(
      await h.call({ method: "PATCH", url: `/v1/consumers/${consumerId}`, body: { disabled: false } }),
      "updateConsumer",
      200,
    );
  });

  it("pages the audit log, verifies its chain and reports a change's propagation", async () => {
    const total = await h.auditLength();
    const page = expectDeclared<{
      data: { seq: number; prevHash: string; hash: string }[];
      next: string | null;
    }>(await h.call({ method: "GET", url: "/v1/audit?limit=3", token: h.readToken }), "listAudit", 200);
    expect(page.data.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(page.data[1]?.prevHash).toBe(page.data[0]?.hash);
    expect(page.next).toBe("3");
    const rest = expectDeclared<{ data: { seq: number; hash: string }[]; next: string | null }>(
      await h.call({ method: "GET", url: `/v1/audit?after=${page.next}&limit=1000` }),
      "listAudit",
      200,
    );
    expect(rest.data[0]?.seq).toBe(4);
    expect(rest.data.at(-1)?.seq).toBe(total);
    expect(rest.next).toBeNull();

    const verdict = expectDeclared<{ ok: boolean; entries: number; headHash: string }>(
      await h.call({ method: "GET", url: "/v1/audit/verify", token: h.readToken }),
      "verifyAudit",
      200,
    );
    expect(verdict).toEqual({
      ok: true,
      entries: total,
      headHash: rest.data.at(-1)?.hash,
    });

    const created = expectDeclared<{ propagation: Propagation }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumerId}/keys`, body: { name: "Probe" } }),
      "createKey",
      201,
    );
    const change = expectDeclared<{ changeId: string; complete: boolean }>(
      await h.call({ method: "GET", url: `/v1/changes/${created.propagation.changeId}`, token: h.readToken }),
      "getChange",
      200,
    );
    expect(change).toEqual({
      changeId: created.propagation.changeId,
      nodes: 1,
      acknowledged: 1,
      complete: true,
    });
    expectProblem(await h.call({ method: "GET", url: "/v1/changes/chg_unknown" }), 404, "NOT_FOUND");
  });

  it("answers health, readiness, metrics and the OpenAPI document without a token", async () => {
    expectDeclared(await h.call({ method: "GET", url: "/healthz", token: null }), "health", 200);
    expectDeclared(await h.call({ method: "GET", url: "/readyz", token: null }), "ready", 200);
    const metrics = await h.call({ method: "GET", url: "/metrics", token: null });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain("keygate_up 1");
    const docs = expectDeclared<{ openapi: string }>(
      await h.call({ method: "GET", url: "/docs", token: null }),
      "openapi",
      200,
    );
    expect(docs.openapi).toBe("3.1.0");
  });
});
