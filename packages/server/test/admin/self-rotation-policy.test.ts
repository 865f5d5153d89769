import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { createHarness, type Harness, json, sqliteBackend } from "./support/admin-harness.ts";
import { expectProblem } from "./support/declared.ts";

/** `plans.<name>.selfRotation`: a plan may take self-rotation away from its keys (security review 1). */
describe("self-rotation per plan", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ backend: sqliteBackend, selfRotationDisabled: ["locked"] });
    for (const name of ["locked", "open"])
      expect((await h.call({ method: "PUT", url: `/v1/plans/${name}`, body: {} })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await h.close();
  });

  async function keyOn(plan: string): Promise<{ id: string; secret: string }> {
    const consumer = json<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: `on-${plan}`, plan } }),
    );
    const created = json<{ key: { id: string }; secret: string }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumer.id}/keys`, body: { name: "k" } }),
    );
    h.secrets.push(created.secret);
    return { id: created.key.id, secret: created.secret };
  }

  const selfRotate = (secret: string) =>
    h.call({ method: "POST", url: "/v1/self/rotate", token: null, headers: { "x-api-key": secret } });

  it("refuses a key of a plan with selfRotation off (403 FORBIDDEN) and leaves it as it was", async () => {
    const key = await keyOn("locked");
    const before = await h.auditLength();
    const problem = expectProblem(await selfRotate(key.secret), 403, "FORBIDDEN");
    expect(problem.detail).toContain("self-rotation");
    expect(await h.auditLength()).toBe(before);
    expect(await h.store.getKey(key.id)).toMatchObject({ status: "active", version: 1 });
    // The operator still can.
    expect((await h.call({ method: "POST", url: `/v1/keys/${key.id}/rotate`, body: {} })).statusCode).toBe(
      201,
    );
  });

  it("lets keys of other plans, and of no plan, rotate themselves", async () => {
    expect((await selfRotate((await keyOn("open")).secret)).statusCode).toBe(201);
    const consumer = json<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "free" } }),
    );
    const created = json<{ secret: string }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumer.id}/keys`, body: { name: "k" } }),
    );
    h.secrets.push(created.secret);
    expect((await selfRotate(created.secret)).statusCode).toBe(201);
  });

  it("is on by default in the config, and can be turned off per plan", () => {
    const env = { KEYGATE_UPSTREAM: "http://127.0.0.1:1" };
    expect(loadConfig(env).plans).toEqual({});
    const dir = mkdtempSync(join(tmpdir(), "keygate-self-rotation-"));
    try {
      const path = join(dir, "keygate.json");
      writeFileSync(path, JSON.stringify({ plans: { a: {}, b: { selfRotation: false } } }));
      const config = loadConfig({ ...env, KEYGATE_CONFIG: path });
      expect(config.plans.a?.selfRotation).toBe(true);
      expect(config.plans.b?.selfRotation).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
