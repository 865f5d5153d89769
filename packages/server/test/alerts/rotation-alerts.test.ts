import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AlertDedupe } from "../../src/alerts/alert-dedupe.ts";
import { runRotationAlertsPass } from "../../src/alerts/rotation-alerts-job.ts";
import { rotateKey } from "../../src/services/rotate-key.ts";
import {
  consumerWithKey,
  eventsOf,
  openSqliteNodes,
  type SqliteNodes,
  type TestNode,
} from "./support/sqlite-nodes.ts";

const S = 1000;
const H = 3_600_000;
const ADMIN = { type: "admin", id: "adm_test" } as const;

describe("rotation alerts: key.deprecated_in_use and key.sunset_approaching", () => {
  let world: SqliteNodes;
  const dedupes = new Map<TestNode, AlertDedupe>();
  const pass = (node: TestNode = world.a) => {
    let dedupe = dedupes.get(node);
    if (dedupe === undefined) {
      dedupe = new AlertDedupe({
        leases: node.store,
        holder: `holder-${world.nodes.indexOf(node)}`,
        clock: world.clock,
      });
      dedupes.set(node, dedupe);
    }
    return runRotationAlertsPass(node.deps, { dedupe, inUseIntervalMs: H });
  };
  const use = (keyId: string) => world.a.store.recordKeyUsage([{ keyId, lastUsedAt: world.clock.now() }]);

  beforeEach(async () => {
    world = await openSqliteNodes(2);
    dedupes.clear();
  });
  afterEach(async () => {
    await world.close();
  });

  async function rotated(overlapSeconds: number) {
    const { key } = await consumerWithKey(world.a.deps);
    const result = await rotateKey(world.a.deps, ADMIN, key.id, { overlapSeconds });
    return result.rotation;
  }

  it("reports an old key used during its overlap, at most once an hour, and again only if used after the report", async () => {
    const rotation = await rotated(48 * 3600);
    expect(await pass()).toBe(0); // not used since the rotation
    world.clock.advance(10 * S);
    await use(rotation.oldKeyId);
    world.clock.advance(S);
    expect(await pass()).toBe(1);
    const [alert] = await eventsOf(world.a.store, "key.deprecated_in_use");
    expect(alert?.data).toMatchObject({
      keyId: rotation.oldKeyId,
      rotationId: rotation.id,
      newKeyId: rotation.newKeyId,
      consumerId: rotation.consumerId,
      lastUsedAt: new Date(world.clock.now() - S).toISOString(),
    });
    // Used on and on within the hour: nothing more.
    for (let i = 0; i < 5; i++) {
      world.clock.advance(10 * 60 * S);
      await use(rotation.oldKeyId);
      expect(await pass()).toBe(0);
    }
    world.clock.advance(11 * 60 * S); // an hour after the report, used 11 minutes ago
    expect(await pass()).toBe(1);
    world.clock.advance(2 * H); // not used since: silence
    expect(await pass()).toBe(0);
    expect(await eventsOf(world.a.store, "key.deprecated_in_use")).toHaveLength(2);
  });

  it("reports each sunset checkpoint once per rotation when the old key is used after it", async () => {
    const rotation = await rotated(10 * 3600); // 10 h: 1 h left at +9 h, 10 % (1 h) left at +9 h too
    const first = await rotated(20 * 3600); // 20 h: 10 % is 2 h left (+18 h), 1 h left at +19 h
    world.clock.advance(17 * H);
    await use(first.oldKeyId);
    await pass();
    expect(await eventsOf(world.a.store, "key.sunset_approaching")).toEqual([]);
    world.clock.advance(H + S); // +18 h: inside the last 10 %
    await use(first.oldKeyId);
    await use(rotation.oldKeyId);
    await pass();
    world.clock.advance(H); // +19 h: inside the last hour
    await use(first.oldKeyId);
    await pass();
    await pass();
    const alerts = await eventsOf(world.a.store, "key.sunset_approaching");
    expect(alerts.map((a) => [a.data.rotationId, a.data.checkpoint])).toEqual([
      [first.id, "10%"],
      [first.id, "1h"],
    ]);
    expect(alerts[1]?.data.remainingSeconds).toBe(Math.round((first.sunsetAt - world.clock.now()) / 1000));
    // The 10-hour rotation ended before its old key was used late: nothing for it.
    expect(alerts.some((a) => a.data.rotationId === rotation.id)).toBe(false);
  });

  it("two nodes scanning the same rotations report each alert once", async () => {
    const rotation = await rotated(1800);
    world.clock.advance(S);
    await use(rotation.oldKeyId);
    const [b] = world.nodes.slice(1);
    if (b === undefined) throw new Error("two nodes");
    const written = await Promise.all([pass(world.a), pass(b), pass(world.a), pass(b)]);
    expect(written.reduce((sum, n) => sum + n, 0)).toBe(2); // deprecated_in_use + the 1 h checkpoint
    expect(await eventsOf(world.a.store, "key.deprecated_in_use")).toHaveLength(1);
    expect(await eventsOf(world.a.store, "key.sunset_approaching")).toHaveLength(1);
    // A node that restarts (a new holder, no memory) does not report again within the window.
    const restarted = new AlertDedupe({ leases: b.store, holder: "holder-restarted", clock: world.clock });
    expect(await runRotationAlertsPass(b.deps, { dedupe: restarted, inUseIntervalMs: H })).toBe(0);
  });

  it("says nothing about rotations that are over", async () => {
    const rotation = await rotated(3600);
    world.clock.advance(S);
    await use(rotation.oldKeyId);
    world.clock.advance(H);
    expect(await pass()).toBe(0);
  });
});
