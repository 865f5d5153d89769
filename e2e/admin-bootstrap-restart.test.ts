import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./support/free-port.ts";
import { type RunningProcess, spawnProcess, waitForHttp } from "./support/spawn-process.ts";

/**
 * The bootstrap rule across real restarts on one SQLite file: a new
 * KEYGATE_ADMIN_TOKEN revokes the previous bootstrap token (audited); the old
 * value can never come back (the start is refused); unsetting the variable
 * keeps the current token and generates nothing.
 */
describe("bootstrap admin token across restarts (keygate start --role admin, SQLite file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "keygate-bootstrap-"));
  let node: RunningProcess | undefined;
  let adminUrl = "";
  afterAll(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = async (token: string | undefined): Promise<Record<string, string>> => {
    const port = await freePort();
    adminUrl = `http://127.0.0.1:${port}`;
    return {
      KEYGATE_ADMIN_PORT: String(port),
      KEYGATE_HOST: "127.0.0.1",
      KEYGATE_DATABASE_URL: `sqlite:${join(dir, "keygate.db")}`,
      KEYGATE_LOG_LEVEL: "info",
      ...(token === undefined ? {} : { KEYGATE_ADMIN_TOKEN: token }),
    };
  };
  const start = async (token: string | undefined) => {
    await node?.stop();
    node = spawnProcess(["packages/server/bin/keygate.js", "start", "--role", "admin"], await env(token));
    await waitForHttp(`${adminUrl}/readyz`, node);
  };
  const call = async (token: string, path = "/v1/admin-tokens") => {
    const res = await fetch(`${adminUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const first = `kga_first_${randomBytes(16).toString("hex")}`;
  const second = `kga_second_${randomBytes(16).toString("hex")}`;

  it("lists the env token as the admin token named bootstrap", async () => {
    await start(first);
    const listed = await call(first);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        name: "bootstrap",
        role: "admin",
        status: "active",
        createdBy: "system:bootstrap",
      }),
    ]);
  });

  it("a new value at restart revokes the old bootstrap token, with an audit entry", async () => {
    await start(second);
    expect((await call(first)).status).toBe(401);
    expect((await call(second)).status).toBe(200);
    const audit = await call(second, "/v1/audit?limit=1000");
    const entries = audit.body.data as {
      action: string;
      actor: { id: string };
      data: Record<string, unknown>;
    }[];
    expect(entries.filter((e) => e.action === "admin_token.revoke")).toEqual([
      expect.objectContaining({
        actor: { type: "system", id: "bootstrap" },
        data: expect.objectContaining({ reason: "bootstrap_replaced" }),
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain(first);
  }, 30_000);

  it("the old value cannot come back: the start is refused and names the reason", async () => {
    await node?.stop();
    const refused = spawnProcess(
      ["packages/server/bin/keygate.js", "start", "--role", "admin"],
      await env(first),
    );
    const code = await refused.exited();
    expect(code).not.toBe(0);
    expect(refused.output()).toMatch(/KEYGATE_ADMIN_TOKEN names revoked admin token/);
    expect(refused.output()).not.toContain(first);
    node = undefined;
  }, 30_000);

  it("unsetting the variable keeps the current token and generates none", async () => {
    await start(undefined);
    expect((await call(second)).status).toBe(200);
    expect(node?.output()).not.toMatch(/Bootstrap admin token/);
    const listed = (await call(second)).body.data as unknown[];
    expect(listed).toHaveLength(2);
  }, 30_000);
});
