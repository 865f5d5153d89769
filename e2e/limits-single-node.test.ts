import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { awayFromBoundary, monthEnd } from "./support/limits-window.ts";

/**
 * One node on SQLite, no Redis: counters live in the process and are
 * snapshotted to the database, so a spent quota stays spent across a
 * restart — graceful or a crash after the snapshot.
 */

async function call(stack: KeygateStack, secret: string) {
  const res = await fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, {
    headers: { "x-api-key": secret },
  });
  const text = await res.text();
  return {
    status: res.status,
    code: res.status === 200 ? undefined : (JSON.parse(text) as { code?: string }).code,
    headers: res.headers,
  };
}

/** Polls the node's SQLite file until the snapshot of the counter starting with `keyPrefix` reads `used`. */
async function snapshotReaches(
  file: string,
  keyPrefix: string,
  used: number,
  timeoutMs = 10_000,
): Promise<void> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = db.prepare("select used from limit_counters where key like ?").get(`${keyPrefix}%`) as
        | { used: number }
        | undefined;
      if (row?.used === used) return;
      if (Date.now() > deadline)
        throw new Error(`snapshot of ${keyPrefix} is ${row?.used}, expected ${used}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    db.close();
  }
}

describe("limits on one node without Redis (SQLite)", () => {
  let stack: KeygateStack;

  const consumerWithQuota = async (name: string, limit: number) => {
    expect(
      (await stack.admin("PUT", `/v1/plans/${name}`, { quota: { limit, period: "month" } })).status,
    ).toBe(200);
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name, plan: name });
    const key = await stack.admin<{ secret: string }>("POST", `/v1/consumers/${consumer.body.id}/keys`, {
      name: "main",
    });
    expect(key.status).toBe(201);
    return { consumerId: consumer.body.id, secret: key.body.secret };
  };

  beforeAll(async () => {
    await awayFromBoundary(monthEnd);
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("keeps a spent quota spent after a graceful restart on the same file", async () => {
    const { secret, consumerId } = await consumerWithQuota("monthly", 5);
    for (let i = 0; i < 5; i++) {
      const answer = await call(stack, secret);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("ratelimit")).toMatch(new RegExp(`^"month";r=${4 - i};t=\\d+$`));
    }
    const refused = await call(stack, secret);
    expect(refused).toMatchObject({ status: 429, code: "QUOTA_EXCEEDED" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    await stack.stopNode();
    await stack.startNode();

    const after = await call(stack, secret);
    expect(after).toMatchObject({ status: 429, code: "QUOTA_EXCEEDED" });
    const usage = await stack.admin<{ quota: { used: number; limit: number } }>(
      "GET",
      `/v1/consumers/${consumerId}/usage`,
    );
    expect(usage.body.quota).toMatchObject({ used: 5, limit: 5 });
  });

  it("keeps it after a crash once the counters were snapshotted (every second)", async () => {
    const { secret, consumerId } = await consumerWithQuota("crashy", 3);
    for (let i = 0; i < 3; i++) expect((await call(stack, secret)).status).toBe(200);
    // The snapshot written within about a second (read from the SQLite file, as a second reader).
    await snapshotReaches(join(stack.dataDir, "keygate.db"), `${consumerId}:q:month:`, 3);
    await stack.node.kill();
    await stack.startNode();
    expect(await call(stack, secret)).toMatchObject({ status: 429, code: "QUOTA_EXCEEDED" });
  });

  it("control: a consumer under its quota is still served after the restarts; /metrics shows the limiter", async () => {
    const { secret } = await consumerWithQuota("roomy", 100);
    expect((await call(stack, secret)).status).toBe(200);
    // Metrics are on the admin port only (security review, finding 7).
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    expect(metrics).toContain("keygate_limits_degraded 0");
    expect(metrics).toMatch(/^keygate_limits_decisions_total\{result="QUOTA_EXCEEDED"\} [1-9]/m);
  });
});
