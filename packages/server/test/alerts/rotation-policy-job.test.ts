import { decideKeyValidity } from "@keygate/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPolicyPass } from "../../src/jobs/rotation-policy-job.ts";
import { requestRotation } from "../../src/services/request-rotation.ts";
import { consumerWithKey, eventsOf, openSqliteNodes, type SqliteNodes } from "./support/sqlite-nodes.ts";

const DAY = 86_400_000;
const H = 3_600_000;
const POLICY = { maxAgeDays: 90, overlapSeconds: 3600, notifyBeforeDays: 7 };

describe("rotation-policy job", () => {
  let world: SqliteNodes;

  beforeEach(async () => {
    world = await openSqliteNodes(2);
  });
  afterEach(async () => {
    await world.close();
  });

  const pass = (node = world.a) => runPolicyPass(node.deps, node.store);

  it("marks a key due notifyBeforeDays before its max age, once, with the due date ahead and the sunset one overlap after it", async () => {
    const { key } = await consumerWithKey(world.a.deps, POLICY);
    const other = await consumerWithKey(world.a.deps, null); // no policy: never touched
    world.clock.advance(83 * DAY - 1);
    expect(await pass()).toEqual({ due: 0, expired: 0 });
    world.clock.advance(1);
    expect(await pass()).toEqual({ due: 1, expired: 0 });
    const due = await world.a.store.getKey(key.id);
    expect(due).toMatchObject({
      status: "active",
      deprecatedAt: key.createdAt + 90 * DAY,
      sunsetAt: key.createdAt + 90 * DAY + H,
    });
    // Still valid, and signalling: responses carry Deprecation (a date ahead) and Sunset.
    expect(due && decideKeyValidity(due, world.clock.now())).toEqual({
      type: "valid",
      signalDeprecation: true,
    });
    const [event] = await eventsOf(world.a.store, "key.rotation_due");
    expect(event?.data).toMatchObject({
      keyId: key.id,
      reason: "policy",
      dueAt: new Date(key.createdAt + 90 * DAY).toISOString(),
      sunsetAt: new Date(key.createdAt + 90 * DAY + H).toISOString(),
    });
    const audit = await world.a.store.listAudit({ limit: 100 });
    expect(audit.at(-1)).toMatchObject({
      action: "key.rotation_due",
      targetId: key.id,
      actor: { type: "system" },
    });
    world.clock.advance(DAY);
    expect(await pass()).toEqual({ due: 0, expired: 0 });
    expect(await eventsOf(world.a.store, "key.rotation_due")).toHaveLength(1);
    expect((await world.a.store.getKey(other.key.id))?.deprecatedAt).toBeNull();
  });

  it("records a due key nobody rotated as expired at its sunset (key.expired), and a requested one too", async () => {
    const { key } = await consumerWithKey(world.a.deps, POLICY);
    const requested = await consumerWithKey(world.a.deps, null);
    world.clock.advance(83 * DAY);
    await pass();
    await requestRotation(
      world.a.deps,
      { type: "admin", id: "adm_test" },
      requested.key.id,
      world.clock.now() + H,
    );
    world.clock.advance(7 * DAY + H);
    const due = await world.a.store.getKey(key.id);
    // Refused from the sunset on, whether or not the job has run yet.
    expect(due && decideKeyValidity(due, world.clock.now())).toEqual({
      type: "invalid",
      code: "KEY_EXPIRED",
    });
    expect(await pass()).toEqual({ due: 0, expired: 2 });
    expect((await world.a.store.getKey(key.id))?.status).toBe("expired");
    expect((await world.a.store.getKey(requested.key.id))?.status).toBe("expired");
    const expired = await eventsOf(world.a.store, "key.expired");
    expect(expired.map((e) => [e.data.keyId, e.data.reason]).sort()).toEqual(
      [
        [key.id, "sunset"],
        [requested.key.id, "sunset"],
      ].sort(),
    );
    expect(await pass()).toEqual({ due: 0, expired: 0 });
  });

  it("gives a key already past its max age one overlap from now", async () => {
    const { key } = await consumerWithKey(world.a.deps, null);
    world.clock.advance(400 * DAY);
    const consumer = await world.a.store.getConsumer(key.consumerId);
    if (consumer === null) throw new Error("no consumer");
    await world.a.store.commit({
      writes: [{ type: "updateConsumer", consumer: { ...consumer, rotationPolicy: POLICY } }],
      audit: [],
      events: [],
    });
    expect(await pass()).toEqual({ due: 1, expired: 0 });
    expect((await world.a.store.getKey(key.id))?.sunsetAt).toBe(world.clock.now() + H);
  });

  it("two nodes applying policies at once mark each key due once", async () => {
    for (let i = 0; i < 5; i++) await consumerWithKey(world.a.deps, POLICY);
    world.clock.advance(85 * DAY);
    const [b] = world.nodes.slice(1);
    if (b === undefined) throw new Error("two nodes");
    const results = await Promise.all([pass(world.a), pass(b)]);
    expect(results.reduce((sum, r) => sum + r.due, 0)).toBe(5);
    expect(await eventsOf(world.a.store, "key.rotation_due")).toHaveLength(5);
  });
});
