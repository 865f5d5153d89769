import type { KeyUsageTouch } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { bucketCounts } from "./minute-counters.ts";
import { UsageRecorder } from "./usage-recorder.ts";

/** A store slice that keeps every batch, and can fail. */
class TouchLog {
  readonly batches: KeyUsageTouch[][] = [];
  failing = false;

  async recordKeyUsage(touches: readonly KeyUsageTouch[]): Promise<void> {
    if (this.failing) throw new Error("store down");
    this.batches.push([...touches]);
  }
}

const T = Date.UTC(2025, 0, 1, 12, 0, 0);

describe("UsageRecorder", () => {
  it("batches the newest lastUsedAt per key, only for outcomes where the key authenticated", async () => {
    const store = new TouchLog();
    const usage = new UsageRecorder({ store, flushIntervalMs: 60_000 });
    usage.record("key_a", T, "VALID");
    usage.record("key_a", T + 5, "VALID");
    usage.record("key_a", T + 2, "VALID"); // out of order: lastUsedAt never moves back
    usage.record("key_b", T + 1, "SCOPE_DENIED");
    usage.record("key_c", T + 1, "KEY_EXPIRED");
    usage.record("key_d", T + 1, "KEY_REVOKED");
    usage.record(undefined, T + 1, "KEY_NOT_FOUND");
    await usage.flush();
    expect(store.batches).toEqual([
      [
        { keyId: "key_a", lastUsedAt: T + 5 },
        { keyId: "key_b", lastUsedAt: T + 1 },
      ],
    ]);
    await usage.flush();
    expect(store.batches).toHaveLength(1); // nothing new, nothing written
    await usage.close();
  });

  it("retries a failed flush with the values it could not write", async () => {
    const store = new TouchLog();
    const warnings: object[] = [];
    const usage = new UsageRecorder({
      store,
      flushIntervalMs: 60_000,
      logger: { warn: (obj) => warnings.push(obj) },
    });
    usage.record("key_a", T, "VALID");
    store.failing = true;
    await usage.flush();
    expect(warnings).toHaveLength(1);
    usage.record("key_a", T + 10, "VALID");
    store.failing = false;
    await usage.close();
    expect(store.batches).toEqual([[{ keyId: "key_a", lastUsedAt: T + 10 }]]);
  });

  it("flushes on its own timer", async () => {
    const store = new TouchLog();
    const usage = new UsageRecorder({ store, flushIntervalMs: 20 });
    usage.record("key_a", T, "VALID");
    const deadline = Date.now() + 5_000;
    while (store.batches.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(store.batches).toEqual([[{ keyId: "key_a", lastUsedAt: T }]]);
    await usage.close();
  });

  it("counts outcomes per key per minute and closes a bucket when the minute turns", async () => {
    const usage = new UsageRecorder({ store: new TouchLog(), flushIntervalMs: 60_000 });
    usage.record("key_a", T, "VALID");
    usage.record("key_a", T + 59_999, "VALID");
    usage.record("key_a", T + 30_000, "SCOPE_DENIED");
    usage.record(undefined, T, "KEY_MALFORMED");
    usage.record("key_a", T + 60_000, "RATE_LIMITED");
    const closed = usage.drainBuckets();
    expect(closed.map((b) => ({ keyId: b.keyId, minute: b.minute, counts: bucketCounts(b) }))).toEqual([
      { keyId: "key_a", minute: T, counts: { VALID: 2, SCOPE_DENIED: 1 } },
    ]);
    const open = usage.drainBuckets(true);
    expect(open.map((b) => ({ keyId: b.keyId, minute: b.minute, counts: bucketCounts(b) }))).toEqual([
      { keyId: "key_a", minute: T + 60_000, counts: { RATE_LIMITED: 1 } },
      { keyId: "", minute: T, counts: { KEY_MALFORMED: 1 } },
    ]);
    expect(usage.drainBuckets(true)).toEqual([]);
    await usage.close();
  });

  it("forgets idle keys, and keeps nothing of them when nobody drains", async () => {
    const usage = new UsageRecorder({ store: new TouchLog(), flushIntervalMs: 60_000 });
    for (let i = 0; i < 100; i++) usage.record(`key_${i}`, T, "KEY_EXPIRED");
    usage.record("key_live", T + 3 * 60_000, "KEY_EXPIRED");
    await usage.flush();
    expect(usage.stats().trackedKeys).toBe(1);
    const drained = usage.drainBuckets(true);
    expect(drained.filter((b) => b.minute === T)).toHaveLength(100);
    expect(drained.filter((b) => b.keyId === "key_live")).toHaveLength(1);
    await usage.close();
  });

  it("bounds the closed buckets it keeps, counting what it dropped", async () => {
    const usage = new UsageRecorder({
      store: new TouchLog(),
      flushIntervalMs: 60_000,
      maxPendingBuckets: 10,
    });
    for (let minute = 0; minute < 30; minute++) usage.record("key_a", T + minute * 60_000, "VALID");
    const stats = usage.stats();
    expect(stats.pendingBuckets).toBeLessThanOrEqual(10);
    expect(stats.pendingBuckets + stats.droppedBuckets).toBe(29);
    await usage.close();
  });
});
