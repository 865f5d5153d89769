import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness, json, sqliteBackend } from "./support/admin-harness.ts";
import { expectProblem } from "./support/declared.ts";

interface TokenView {
  id: string;
  name: string;
  role: string;
  status: string;
  lastUsedAt: string | null;
  createdBy: string | null;
  expiresAt: string | null;
}

describe("admin tokens: issue, list, use, expire and revoke (SQLite file)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ backend: sqliteBackend });
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (body: unknown, token?: string) =>
    h.call({ method: "POST", url: "/v1/admin-tokens", body, token });

  it("issues a token once (kga_, ≥ 32 chars) that works at its role, and lists tokens without secrets", async () => {
    const created = await create({ name: "grafana", role: "viewer" });
    expect(created.statusCode).toBe(201);
    const { token, secret } = json<{ token: TokenView; secret: string }>(created);
    h.secrets.push(secret);
    expect(secret).toMatch(/^kga_[0-9A-Za-z]{40}$/);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(token).toMatchObject({
      name: "grafana",
      role: "viewer",
      status: "active",
      createdBy: "admin:bootstrap",
    });

    expect((await h.call({ method: "GET", url: "/v1/consumers", token: secret })).statusCode).toBe(200);
    expectProblem(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "x" }, token: secret }),
      403,
      "FORBIDDEN",
    );

    const listed = await h.call({ method: "GET", url: "/v1/admin-tokens" });
    expect(listed.statusCode).toBe(200);
    const names = json<{ data: TokenView[] }>(listed).data.map((t) => t.name);
    expect(names).toContain("grafana");
    expect(names).toContain("bootstrap");
    const stored = await h.store.getAdminToken(token.id);
    expect(listed.body).not.toContain(secret);
    expect(listed.body).not.toContain(stored?.hash ?? "no hash");
    expect(listed.body).not.toContain("hash");
  });

  it("records last use off the request path", async () => {
    const { token, secret } = json<{ token: TokenView; secret: string }>(
      await create({ name: "ci", role: "operator" }),
    );
    expect(token.lastUsedAt).toBeNull();
    await h.call({ method: "GET", url: "/v1/keys", token: secret });
    const deadline = Date.now() + 5_000;
    let lastUsedAt: number | null = null;
    while (Date.now() < deadline && lastUsedAt === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lastUsedAt = (await h.store.getAdminToken(token.id))?.lastUsedAt ?? null;
    }
    expect(lastUsedAt).toBe(h.clock.now());
  });

  it("names the token in the audit (id kept as the actor id)", async () => {
    const { token, secret } = json<{ token: TokenView; secret: string }>(
      await create({ name: "deploy-bot", role: "operator" }),
    );
    expect(
      (await h.call({ method: "POST", url: "/v1/consumers", body: { name: "acme" }, token: secret }))
        .statusCode,
    ).toBe(201);
    const audit = json<{ data: { action: string; actor: { type: string; id: string; name?: string } }[] }>(
      await h.call({ method: "GET", url: "/v1/audit?limit=1000" }),
    );
    expect(audit.data.at(-1)).toEqual(
      expect.objectContaining({
        action: "consumer.create",
        actor: { type: "admin", id: token.id, name: "deploy-bot" },
      }),
    );
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it("revokes a token: refused from the next request, listed as revoked, a second revocation is 409", async () => {
    const { token, secret } = json<{ token: TokenView; secret: string }>(
      await create({ name: "old", role: "admin" }),
    );
    // Cached as valid on this node first: the revocation must drop that entry, not wait for the TTL.
    expect((await h.call({ method: "GET", url: "/v1/consumers", token: secret })).statusCode).toBe(200);
    const revoked = await h.call({ method: "DELETE", url: `/v1/admin-tokens/${token.id}?wait=true` });
    expect(revoked.statusCode).toBe(200);
    expect(json<{ token: TokenView }>(revoked).token.status).toBe("revoked");
    const refused = expectProblem(
      await h.call({ method: "GET", url: "/v1/consumers", token: secret }),
      401,
      "UNAUTHENTICATED",
    );
    expect(refused.detail).toContain("revoked");
    expectProblem(await h.call({ method: "DELETE", url: `/v1/admin-tokens/${token.id}` }), 409, "CONFLICT");
    expectProblem(
      await h.call({ method: "DELETE", url: "/v1/admin-tokens/adm_0V70MWDgEjExtokM1T5ObJ" }),
      404,
      "NOT_FOUND",
    );
  });

  it("refuses a token past its expiry, and an expiry in the past at issue", async () => {
    const expiresAt = new Date(h.clock.now() + 60_000).toISOString();
    const { secret } = json<{ secret: string }>(await create({ name: "temp", role: "viewer", expiresAt }));
    expect((await h.call({ method: "GET", url: "/v1/consumers", token: secret })).statusCode).toBe(200);
    h.clock.advance(60_000);
    const problem = expectProblem(
      await h.call({ method: "GET", url: "/v1/consumers", token: secret }),
      401,
      "UNAUTHENTICATED",
    );
    expect(problem.detail).toContain("expired");
    expectProblem(
      await create({ name: "past", role: "viewer", expiresAt: new Date(h.clock.now() - 1).toISOString() }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(await create({ name: "bad", role: "root" }), 400, "VALIDATION_FAILED");
  });

  it("a verifier token verifies keys and does nothing else", async () => {
    const { secret } = json<{ secret: string }>(await create({ name: "billing-service", role: "verifier" }));
    const consumer = json<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "c" } }),
    );
    const key = json<{ secret: string }>(
      await h.call({
        method: "POST",
        url: `/v1/consumers/${consumer.id}/keys`,
        body: { name: "k" },
      }),
    );
    const verified = await h.call({
      method: "POST",
      url: "/v1/verify",
      body: { key: key.secret },
      token: secret,
    });
    expect(json(verified)).toMatchObject({ valid: true, code: "VALID" });
    expectProblem(await h.call({ method: "GET", url: "/v1/keys", token: secret }), 403, "FORBIDDEN");
  });
});
