import { describe, expect, it } from "vitest";
import { ensureBootstrapToken } from "../../src/admin/admin-tokens.ts";
import { LocalChangeBus } from "../../src/cluster/local/local-change-bus.ts";
import { cryptoRandom, nodeHasher } from "../../src/platform/node-platform.ts";
import { createAdminToken } from "../../src/services/admin-tokens.ts";
import type { ServiceDeps } from "../../src/services/service-deps.ts";
import { createHarness, json, memoryBackend, TestClock } from "./support/admin-harness.ts";

async function freshDeps(): Promise<ServiceDeps> {
  const { store } = await memoryBackend.create();
  return {
    store,
    clock: new TestClock(),
    random: cryptoRandom,
    hasher: nodeHasher,
    bus: new LocalChangeBus(),
  };
}

describe("ensureBootstrapToken", () => {
  it("generates a root token once when none exists, stores only its hash and audits without it", async () => {
    const deps = await freshDeps();
    const first = await ensureBootstrapToken({ deps });
    expect(first.token).toMatch(/^kga_[0-9A-Za-z]{40}$/);
    expect(first.created).toBe(true);
    const stored = await deps.store.findAdminTokenByHash(nodeHasher.sha256Hex(first.token ?? ""));
    expect(stored).toMatchObject({ id: first.tokenId, role: "admin", revokedAt: null });
    const audit = await deps.store.listAudit({ limit: 10 });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "admin_token.create",
      targetId: first.tokenId,
      actor: { type: "system" },
    });
    expect(JSON.stringify(audit)).not.toContain(first.token);
    expect(JSON.stringify(audit)).not.toContain(stored?.hash);

    const second = await ensureBootstrapToken({ deps });
    expect(second).toEqual({ tokenId: null, created: false, revoked: [] });
    expect(await deps.store.countAdminTokens()).toBe(1);
  });

  it("two generated tokens differ (CSPRNG, not a constant)", async () => {
    const a = await ensureBootstrapToken({ deps: await freshDeps() });
    const b = await ensureBootstrapToken({ deps: await freshDeps() });
    expect(a.token).not.toBe(b.token);
  });

  it("stores an env token as root once, and never returns it", async () => {
    const deps = await freshDeps();
    const envToken = "operator-chosen-token-0123456789";
    const first = await ensureBootstrapToken({ deps, envToken });
    expect(first.token).toBeUndefined();
    expect(first.created).toBe(true);
    const again = await ensureBootstrapToken({ deps, envToken });
    expect(again).toEqual({ tokenId: first.tokenId, created: false, revoked: [] });
    expect(await deps.store.countAdminTokens()).toBe(1);
    expect((await deps.store.listAudit({ limit: 10 })).length).toBe(1);
    expect(JSON.stringify(await deps.store.listAudit({ limit: 10 }))).not.toContain(envToken);
  });

  it("an env token replaces every earlier bootstrap token (revoked and audited) and leaves issued tokens alone", async () => {
    const deps = await freshDeps();
    const generated = await ensureBootstrapToken({ deps });
    const issued = await createAdminToken(
      deps,
      { type: "system", id: "test" },
      { name: "ci", role: "operator" },
    );
    const first = await ensureBootstrapToken({ deps, envToken: "another-operator-token-xyz-0123456789" });
    expect(first).toMatchObject({ created: true, revoked: [generated.tokenId] });
    const second = await ensureBootstrapToken({ deps, envToken: "a-new-value-for-the-env-token-9876543210" });
    expect(second).toMatchObject({ created: true, revoked: [first.tokenId] });
    const tokens = await deps.store.listAdminTokens({ limit: 10 });
    const live = tokens.filter((t) => t.revokedAt === null).map((t) => t.id);
    expect(live.sort()).toEqual([issued.token.id, second.tokenId].sort());
    const revokes = (await deps.store.listAudit({ limit: 20 })).filter(
      (e) => e.action === "admin_token.revoke",
    );
    expect(revokes.map((e) => [e.targetId, e.data.reason])).toEqual([
      [generated.tokenId, "bootstrap_replaced"],
      [first.tokenId, "bootstrap_replaced"],
    ]);
    // The old value does not come back at a restart with it: its token is revoked, so the start is refused.
    await expect(
      ensureBootstrapToken({ deps, envToken: "another-operator-token-xyz-0123456789" }),
    ).rejects.toThrow(/revoked/);
    await expect(ensureBootstrapToken({ deps, envToken: "  " })).rejects.toThrow(/empty/);
  });

  it("the admin app accepts the env token as admin, names it in the audit, and refuses the replaced one", async () => {
    const h = await createHarness();
    try {
      const envToken = "kga_env_token_for_the_admin_app_test";
      await ensureBootstrapToken({ deps: h.deps, envToken });
      const response = await h.call({
        method: "POST",
        url: "/v1/consumers",
        body: { name: "x" },
        token: envToken,
      });
      expect(response.statusCode).toBe(201);
      const audit = json<{ data: { actor: { id: string }; action: string }[] }>(
        await h.call({ method: "GET", url: "/v1/audit?limit=1000", token: envToken }),
      );
      const stored = await h.store.findAdminTokenByHash(nodeHasher.sha256Hex(envToken));
      expect(audit.data.at(-1)).toMatchObject({
        action: "consumer.create",
        actor: { type: "admin", id: stored?.id, name: "bootstrap" },
      });
      // The generated bootstrap token the harness started with was replaced by the env value.
      const old = await h.call({ method: "GET", url: "/v1/consumers" });
      expect(old.statusCode).toBe(401);
    } finally {
      await h.close();
    }
  });
});
