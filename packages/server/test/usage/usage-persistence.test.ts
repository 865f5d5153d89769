import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageCount, UsageStore } from "@keygate/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";
import { UsageRecorder } from "../../src/usage/usage-recorder.ts";

const MIN = 60_000;
const T = Date.UTC(2026, 0, 1, 12, 0, 0);
const range = { from: T, to: T + 3 * MIN, bucketMs: MIN };

/** A real store that can be made to refuse usage writes, as an unreachable database would. */
class Flaky implements Pick<UsageStore, "addUsage"> {
  down = false;
  constructor(readonly inner: UsageStore) {}
  addUsage(counts: readonly UsageCount[]): Promise<void> {
    return this.down ? Promise.reject(new Error("connection refused")) : this.inner.addUsage(counts);
  }
}

describe("UsageRecorder with a usage store (real SQLite file)", () => {
  let dir: string;
  let store: SqliteKeyStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-usage-"));
    store = new SqliteKeyStore({ path: join(dir, "keygate.db"), hasher: nodeHasher });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sums = async (keyId: string) =>
    (await store.keyUsage([keyId], range)).map((r) => `${(r.at - T) / MIN}:${r.code}=${r.count}`).sort();

  it("adds the running minute's counts on every flush, so nothing is counted twice and little waits in memory", async () => {
    const usage = new UsageRecorder({ store, usageStore: store, flushIntervalMs: 60_000 });
    usage.record("key_a", T + 1_000, "VALID");
    usage.record("key_a", T + 2_000, "VALID");
    usage.record(undefined, T + 2_000, "KEY_NOT_FOUND");
    await usage.flush();
    expect(await sums("key_a")).toEqual(["0:VALID=2"]);
    usage.record("key_a", T + 3_000, "VALID");
    usage.record("key_a", T + 4_000, "RATE_LIMITED");
    usage.record("key_a", T + MIN, "VALID");
    await usage.flush();
    await usage.flush();
    expect(await sums("key_a")).toEqual(["0:RATE_LIMITED=1", "0:VALID=3", "1:VALID=1"]);
    expect(await sums("")).toEqual(["0:KEY_NOT_FOUND=1"]);
    expect(usage.stats().pendingBuckets).toBe(0);
    await usage.close();
  });

  it("keeps counts the store refused and writes them once it answers again", async () => {
    const flaky = new Flaky(store);
    const usage = new UsageRecorder({ store, usageStore: flaky, flushIntervalMs: 60_000 });
    usage.record("key_a", T, "VALID");
    flaky.down = true;
    await usage.flush();
    usage.record("key_a", T + 1, "VALID");
    usage.record("key_a", T + MIN, "VALID");
    await usage.flush();
    expect(usage.stats().flushFailures).toBe(2);
    expect(await sums("key_a")).toEqual([]);
    flaky.down = false;
    await usage.close();
    expect(await sums("key_a")).toEqual(["0:VALID=2", "1:VALID=1"]);
  });

  it("loses nothing on close: the counts are in the file for the next process", async () => {
    const usage = new UsageRecorder({ store, usageStore: store, flushIntervalMs: 60_000 });
    for (let i = 0; i < 250; i++)
      usage.record(`key_${i % 5}`, T + i, i % 10 === 0 ? "SCOPE_DENIED" : "VALID");
    await usage.close();
    await store.close();
    store = new SqliteKeyStore({ path: join(dir, "keygate.db"), hasher: nodeHasher });
    const total = (await store.totalUsage(range)).reduce((sum, r) => sum + r.count, 0);
    expect(total).toBe(250);
    expect(await sums("key_0")).toEqual(["0:SCOPE_DENIED=25", "0:VALID=25"]);
  });
});
