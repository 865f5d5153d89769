/**
 * "Rotation that runs itself", proof 1: a rotation with `retire: "idle"`
 * (`idleSeconds: 2`, overlap 120 s) retires the old key within idleSeconds +
 * 2 s of its last use, long before its sunset, once the client has moved to
 * the new key. Also: usage counts survive a graceful restart of the node.
 * Real processes on loopback, SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Traffic {
  keyId: string;
  lastUsedAt: string | null;
  requestsLast15m: number;
}
interface RotationDetail {
  id: string;
  state: string;
  completedAt: string | null;
  completedReason: string | null;
  sunsetAt: string;
  traffic: { old: Traffic; new: Traffic; progress: number | null };
}
interface Usage {
  series: Array<{ total: number; outcomes: Record<string, number> }>;
}

describe("retirement by traffic (retire: idle) on a real node", () => {
  let stack: KeygateStack;
  let consumerId: string;

  beforeAll(async () => {
    stack = await startStack();
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: "idle-consumer" });
    consumerId = consumer.body.id;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const call = (secret: string) =>
    fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, { headers: { "x-api-key": secret } });

  const newKey = async () =>
    (
      await stack.admin<{ key: { id: string }; secret: string }>("POST", `/v1/consumers/${consumerId}/keys`, {
        name: "App",
      })
    ).body;

  const usageTotal = async (keyId: string) => {
    const usage = await stack.admin<Usage>("GET", `/v1/keys/${keyId}/usage`);
    expect(usage.status).toBe(200);
    return usage.body.series.reduce((sum, p) => sum + p.total, 0);
  };

  it("retires the old key within idleSeconds + 2 s of its last use, long before sunset; the rotation reads completed/idle", async () => {
    const old = await newKey();
    for (let i = 0; i < 3; i++) expect((await call(old.secret)).status).toBe(200);
    const rotated = await stack.admin<{ rotation: { id: string; sunsetAt: string }; secret: string }>(
      "POST",
      `/v1/keys/${old.key.id}/rotate`,
      { overlapSeconds: 120, retire: "idle", idleSeconds: 2 },
    );
    expect(rotated.status).toBe(201);
    const rotationId = rotated.body.rotation.id;
    const startedAt = Date.now();

    // The client keeps using the old key for a moment, then moves to the new one for good.
    for (let i = 0; i < 3; i++) {
      const res = await call(old.secret);
      expect(res.status).toBe(200);
      expect(res.headers.get("deprecation")).toMatch(/^@\d+$/);
      await sleep(100);
    }
    const lastOldUse = Date.now();
    let completed: RotationDetail | undefined;
    let newCalls = 0;
    while (Date.now() - lastOldUse < 15_000) {
      expect((await call(rotated.body.secret)).status).toBe(200);
      newCalls++;
      const { body } = await stack.admin<RotationDetail>("GET", `/v1/rotations/${rotationId}`);
      if (body.state !== "overlapping") {
        completed = body;
        break;
      }
      await sleep(100);
    }
    expect(completed).toMatchObject({ state: "completed", completedReason: "idle" });
    if (completed?.completedAt == null || completed.traffic.old.lastUsedAt === null)
      throw new Error("not completed");
    const oldLastUsedAt = Date.parse(completed.traffic.old.lastUsedAt);
    const retiredAt = Date.parse(completed.completedAt);
    const delay = retiredAt - oldLastUsedAt;
    console.log(
      `idle retirement: old key retired ${delay} ms after its last use (idleSeconds 2 s, bound 4000 ms); ` +
        `${((Date.parse(completed.sunsetAt) - retiredAt) / 1000).toFixed(1)} s before its sunset; ` +
        `${retiredAt - startedAt} ms after the rotation started`,
    );
    expect(delay).toBeGreaterThanOrEqual(2_000);
    expect(delay).toBeLessThanOrEqual(4_000);
    expect(Date.parse(completed.sunsetAt) - retiredAt).toBeGreaterThan(100_000);
    expect(Math.abs(oldLastUsedAt - lastOldUse)).toBeLessThan(1_000);

    // From now on the old key is refused; the new one works.
    const refused = await call(old.secret);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe("KEY_EXPIRED");
    expect((await call(rotated.body.secret)).status).toBe(200);

    // The traffic block tells the same story: most of the lineage's requests are on the new key now.
    await sleep(1_500); // one usage flush
    const { body: after } = await stack.admin<RotationDetail>("GET", `/v1/rotations/${rotationId}`);
    expect(after.traffic.old.requestsLast15m).toBe(3 + 3 + 1);
    expect(after.traffic.new.requestsLast15m).toBe(newCalls + 1);
    expect(after.traffic.progress).toBeCloseTo((newCalls + 1) / (newCalls + 8));
  });

  it("keeps every counted request across a graceful restart (SIGTERM, then a new process on the same file)", async () => {
    const key = await newKey();
    const calls = 25;
    await Promise.all(Array.from({ length: calls }, () => call(key.secret)));
    // Stopped at once: these counts are still in the node's memory, not yet flushed.
    await stack.stopNode();
    await stack.startNode();
    expect(await usageTotal(key.key.id)).toBe(calls);
    const { body: stored } = await stack.admin<{ lastUsedAt: string | null }>(
      "GET",
      `/v1/keys/${key.key.id}`,
    );
    expect(stored.lastUsedAt).not.toBeNull();
  });
});
