import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AlertDedupe } from "../../src/alerts/alert-dedupe.ts";
import { AuthFailureGuard } from "../../src/alerts/auth-failure-guard.ts";
import { reportFailureSpikes } from "../../src/alerts/failure-spike-reporter.ts";
import { eventsOf, openSqliteNodes, type SqliteNodes, type TestNode } from "./support/sqlite-nodes.ts";

describe("auth.failure_spike reports", () => {
  let world: SqliteNodes;

  beforeEach(async () => {
    world = await openSqliteNodes(2, Date.UTC(2026, 0, 1, 12, 0, 5));
  });
  afterEach(async () => {
    await world.close();
  });

  function reporter(node: TestNode, name: string) {
    const guard = new AuthFailureGuard({ spikePerMinute: 3, throttlePerMinute: 0 });
    const dedupe = new AlertDedupe({ leases: node.store, holder: name, clock: world.clock });
    const report = () =>
      reportFailureSpikes(node.deps, { guard, dedupe, spikePerMinute: 3, cooldownMs: 600_000, nodeId: name });
    return { guard, report };
  }

  it("reports a client IP past the threshold once per cooldown across nodes, with the minute's failures", async () => {
    const [b] = world.nodes.slice(1);
    if (b === undefined) throw new Error("two nodes");
    const one = reporter(world.a, "node-a");
    const two = reporter(b, "node-b");
    const now = world.clock.now();
    for (let i = 0; i < 6; i++) one.guard.fail("203.0.113.9", undefined, "KEY_NOT_FOUND", now);
    for (let i = 0; i < 4; i++) two.guard.fail("203.0.113.9", undefined, "KEY_MISSING", now);
    expect(await Promise.all([one.report(), two.report()])).toSatisfy(
      (counts: number[]) => counts.reduce((s, n) => s + n, 0) === 1,
    );
    const [alert, ...rest] = await eventsOf(world.a.store, "auth.failure_spike");
    expect(rest).toEqual([]);
    expect(alert?.data).toMatchObject({ dimension: "clientIp", clientIp: "203.0.113.9", threshold: 3 });
    expect([6, 4]).toContain(alert?.data.failuresPerMinute);

    // The next minute the attack goes on: still inside the cooldown, so no new report.
    world.clock.advance(60_000);
    for (let i = 0; i < 5; i++) one.guard.fail("203.0.113.9", undefined, "KEY_NOT_FOUND", world.clock.now());
    expect(await one.report()).toBe(0);
    // After the cooldown it is reported again.
    world.clock.advance(600_000);
    for (let i = 0; i < 5; i++) one.guard.fail("203.0.113.9", undefined, "KEY_NOT_FOUND", world.clock.now());
    expect(await one.report()).toBe(1);
  });
});
