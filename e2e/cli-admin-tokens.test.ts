import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { runCli } from "./support/run-cli.ts";

/** `keygate admin-tokens create|list|revoke` through the real bin against a real node (SQLite file). */
describe("keygate admin-tokens (CLI)", () => {
  let stack: KeygateStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack();
    env = { KEYGATE_URL: stack.adminUrl, KEYGATE_ADMIN_TOKEN: stack.adminToken };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const status = async (token: string, method = "GET", path = "/v1/consumers") => {
    const res = await fetch(`${stack.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(method === "GET" ? {} : { body: JSON.stringify({ name: "from-cli-token" }) }),
    });
    await res.arrayBuffer();
    return res.status;
  };

  it("creates a token shown once, lists it without the secret, and revokes it", async () => {
    const created = await runCli(["admin-tokens", "create", "grafana", "--role", "viewer", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const body = JSON.parse(created.stdout) as { token: { id: string; role: string }; secret: string };
    expect(body.token.role).toBe("viewer");
    expect(body.secret).toMatch(/^kga_[0-9A-Za-z]{40}$/);
    expect(await status(body.secret)).toBe(200);
    expect(await status(body.secret, "POST")).toBe(403);

    const listed = await runCli(["admin-tokens", "list"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("grafana");
    expect(listed.stdout).toContain("bootstrap");
    expect(listed.stdout).not.toContain(body.secret);

    const revoked = await runCli(["admin-tokens", "revoke", body.token.id], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked admin token ${body.token.id}`);
    expect(await status(body.secret)).toBe(401);
    const again = await runCli(["admin-tokens", "revoke", body.token.id], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("CONFLICT");
  });

  it("prints the secret in a block for a human, and refuses an unknown role", async () => {
    const human = await runCli(["admin-tokens", "create", "ci", "--role", "operator"], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/shown once[\s\S]*\n {2}kga_[0-9A-Za-z]{40}\n/);
    const bad = await runCli(["admin-tokens", "create", "x", "--role", "root"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("VALIDATION_FAILED");
  });
});
