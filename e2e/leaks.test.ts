/**
 * Leaked keys end to end: a real `keygate start` with KEYGATE_LEAK_PUBLIC_KEYS,
 * a signed GitHub-style report over HTTP, then the gateway refuses the key;
 * a forged report changes nothing; `keygate incident` rolls a key over.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { spawnProcess } from "./support/spawn-process.ts";

const KEY_ID = "e2e0c5d4a3b2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6";

describe("leak reports (real processes, SQLite)", () => {
  let stack: KeygateStack;
  let dir: string;
  let privateKey: KeyObject;
  const secrets: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-e2e-leaks-"));
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    privateKey = pair.privateKey;
    const keysFile = join(dir, "github-public-keys.json");
    writeFileSync(
      keysFile,
      JSON.stringify({
        public_keys: [
          {
            key_identifier: KEY_ID,
            key: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
            is_current: true,
          },
        ],
      }),
    );
    stack = await startStack({ env: { KEYGATE_LEAK_PUBLIC_KEYS: keysFile } });
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const issueKey = async (name: string) => {
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name });
    const created = await stack.admin<{ key: { id: string }; secret: string }>(
      "POST",
      `/v1/consumers/${consumer.body.id}/keys`,
      { name: "production" },
    );
    expect(created.status).toBe(201);
    secrets.push(created.body.secret);
    return { id: created.body.key.id, secret: created.body.secret };
  };
  const callGateway = async (secret: string) => {
    const res = await fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, {
      headers: { "x-api-key": secret },
    });
    const text = await res.text();
    return { status: res.status, code: res.ok ? null : (JSON.parse(text) as { code: string }).code };
  };
  const postReport = (body: string, signature: string) =>
    fetch(`${stack.adminUrl}/v1/leaks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "github-public-key-identifier": KEY_ID,
        "github-public-key-signature": signature,
      },
      body,
    });
  const signatureOf = (body: string) => sign("sha256", Buffer.from(body), privateKey).toString("base64");

  it("revokes a key reported in a signed report: the gateway answers 401 KEY_REVOKED right after", async () => {
    const key = await issueKey("leaky");
    expect(await callGateway(key.secret)).toEqual({ status: 200, code: null });
    const body = JSON.stringify([
      {
        token: key.secret,
        type: "keygate_api_key",
        url: "https://github.com/octocat/hello-world/blob/abc/.env",
        source: "content",
      },
    ]);

    const res = await postReport(body, signatureOf(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_raw: key.secret, token_type: "keygate_api_key", label: "true_positive" },
    ]);
    expect(await callGateway(key.secret)).toEqual({ status: 401, code: "KEY_REVOKED" });
  });

  it("changes nothing for a report with a bad signature", async () => {
    const key = await issueKey("careful");
    const body = JSON.stringify([{ token: key.secret, type: "keygate_api_key", url: "", source: "content" }]);
    const audit = await stack.admin<{ data: unknown[] }>("GET", "/v1/audit?limit=1000");
    const forged = await postReport(body, signatureOf(`${body} `));
    expect(forged.status).toBe(401);
    expect(forged.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(forged.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(((await forged.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
    expect(await callGateway(key.secret)).toEqual({ status: 200, code: null });
    const after = await stack.admin<{ data: unknown[] }>("GET", "/v1/audit?limit=1000");
    expect(after.body.data.length).toBe(audit.body.data.length);
  });

  it("`keygate incident <keyId>` rolls the key over at once and prints the checklist", async () => {
    const key = await issueKey("incident");
    const cli = spawnProcess(["packages/server/bin/keygate.js", "incident", key.id], {
      KEYGATE_URL: stack.adminUrl,
      KEYGATE_ADMIN_TOKEN: stack.adminToken,
    });
    expect(await cli.exited()).toBe(0);
    const output = cli.output();
    expect(output).toContain(`Key ${key.id} is invalid as of now (1/1 nodes acknowledged)`);
    expect(output).toContain("Next steps:");
    const successor = /\n {2}(kg_live_[0-9A-Za-z_]+)\n/.exec(output)?.[1];
    expect(successor).toBeDefined();
    secrets.push(successor ?? "");
    expect(await callGateway(key.secret)).toEqual({ status: 401, code: "KEY_EXPIRED" });
    expect(await callGateway(successor ?? "")).toEqual({ status: 200, code: null });
  });

  it("never writes a key to the node's log output", () => {
    const output = stack.node.output();
    expect(output).toContain("leak reports enabled");
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
