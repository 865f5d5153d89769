import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LeasedJob, startLeasedJob } from "../../src/jobs/job-lease.ts";
import { nodeHasher, systemClock } from "../../src/platform/node-platform.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";

const TTL = 300;
const silent = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met after ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * Three "nodes" (separate stores on one SQLite file, as separate processes
 * would open it) run the same job; a shared record of who is inside a pass
 * shows whether two ever overlap.
 */
describe("leased job runner on a shared SQLite file", () => {
  let dir: string;
  let stores: SqliteKeyStore[];
  let jobs: LeasedJob[];
  let inside: Set<string>;
  let overlaps: number;
  let passes: Map<string, number>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-lease-"));
    stores = [0, 1, 2].map(() => new SqliteKeyStore({ path: join(dir, "keygate.db"), hasher: nodeHasher }));
    for (const store of stores) await store.migrate();
    inside = new Set();
    overlaps = 0;
    passes = new Map();
    jobs = [];
  });
  afterEach(async () => {
    await Promise.all(jobs.map((job) => job.stop()));
    await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  function start(index: number, ttlMs = TTL): LeasedJob {
    const holder = `node-${index}`;
    const job = startLeasedJob({
      name: "test-job",
      leases: stores[index] as SqliteKeyStore,
      holder,
      ttlMs,
      intervalMs: 5,
      clock: systemClock,
      logger: silent,
      async pass(signal) {
        inside.add(holder);
        if (inside.size > 1) overlaps++;
        passes.set(holder, (passes.get(holder) ?? 0) + 1);
        // A pass that takes a while, and stops early when the lease goes.
        for (let i = 0; i < 5 && !signal.aborted; i++) await sleep(5);
        inside.delete(holder);
      },
    });
    jobs[index] = job;
    return job;
  }

  it("runs the job on exactly one node; another takes over when the holder stops, at once", async () => {
    // A long TTL: a takeover well before it proves the lease was released, not left to expire.
    const ttl = 3000;
    const [a, b, c] = [start(0, ttl), start(1, ttl), start(2, ttl)];
    await until(() => [...passes.values()].reduce((x, y) => x + y, 0) >= 10);
    expect([a, b, c].filter((job) => job.isLeader())).toHaveLength(1);
    expect(passes.size).toBe(1);
    expect(overlaps).toBe(0);

    const leader = [a, b, c].findIndex((job) => job.isLeader());
    const leaderName = `node-${leader}`;
    await jobs[leader]?.stop();
    // Released on stop: a follower takes over at its next renewal (≤ TTL/3), not after the TTL.
    const stoppedAt = Date.now();
    await until(() => passes.size === 2);
    expect(Date.now() - stoppedAt).toBeLessThan(ttl);
    const before = passes.get(leaderName);
    await sleep(50);
    expect(passes.get(leaderName)).toBe(before);
    expect(jobs.filter((job) => job.isLeader())).toHaveLength(1);
    expect(overlaps).toBe(0);
  });

  it("stops working when its store fails, and a live node takes over once the lease expires", async () => {
    const a = start(0);
    await until(() => a.isLeader() && (passes.get("node-0") ?? 0) > 2);
    const b = start(1);
    await sleep(TTL / 2);
    expect(b.isLeader()).toBe(false);
    // node-0's store dies: its renewal fails, so it must assume the lease is gone.
    await stores[0]?.close();
    await until(() => !a.isLeader());
    const passesOfA = passes.get("node-0");
    await until(() => b.isLeader());
    await until(() => (passes.get("node-1") ?? 0) > 2);
    expect(passes.get("node-0")).toBe(passesOfA);
    expect(overlaps).toBe(0);
  });

  it("a restarted node contends again: the lease lives in the store, not in the process", async () => {
    start(0);
    await until(() => (passes.get("node-0") ?? 0) > 0);
    await jobs[0]?.stop();
    expect(await stores[0]?.getLease("test-job")).toBeNull();
    // "Restart": a new runner (new holder id) on a fresh store over the same file.
    stores[0] = new SqliteKeyStore({ path: join(dir, "keygate.db"), hasher: nodeHasher });
    const restarted = startLeasedJob({
      name: "test-job",
      leases: stores[0],
      holder: "node-0-restarted",
      ttlMs: TTL,
      intervalMs: 5,
      clock: systemClock,
      logger: silent,
      async pass() {
        passes.set("node-0-restarted", (passes.get("node-0-restarted") ?? 0) + 1);
      },
    });
    jobs[0] = restarted;
    await until(() => (passes.get("node-0-restarted") ?? 0) > 0);
    expect((await stores[0].getLease("test-job"))?.holder).toBe("node-0-restarted");
  });
});
