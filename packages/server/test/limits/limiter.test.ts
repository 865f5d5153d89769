import { type LimitVerdict, rateWindow } from "@keygate/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryCounterStore } from "../../src/limits/memory-counter-store.ts";
import {
  ManualClock,
  PlanTable,
  plan,
  RecordingLog,
  SwitchableCounterStore,
  settle,
  startLimiter,
} from "./support/limits-fixtures.ts";

const MIN = 60_000;
// A minute boundary, so windows are easy to reason about.
const T0 = Date.UTC(2026, 2, 4, 10, 15, 0);

const perMinute = (limit: number) => plan("p", { rateLimit: { limit, windowSeconds: 60 } });
const allowed = (v: LimitVerdict) => v.type === "allow";
const UNLIMITED: LimitVerdict = { type: "unlimited" };

describe("Limiter on one node", () => {
  it("lets a consumer without a plan, or with a plan without limits, through synchronously", async () => {
    const clock = new ManualClock(T0);
    const limiter = await startLimiter({
      counters: new MemoryCounterStore({ clock }),
      plans: new PlanTable(plan("empty")),
      clock,
    });
    expect(limiter.decide("con_1", null, 1, T0)).toEqual({ type: "unlimited" });
    expect(limiter.decide("con_1", "empty", 1, T0)).toEqual({ type: "unlimited" });
    expect(limiter.decide("con_1", "unknown", 1, T0)).toEqual({ type: "unlimited" });
    expect(limiter.decide(undefined, "empty", 1, T0)).toEqual({ type: "unlimited" });
    await limiter.close();
  });

  it("allows exactly the limit in a window, refuses with Retry-After to its end, and opens the next", async () => {
    const clock = new ManualClock(T0 + 18_000);
    const limiter = await startLimiter({
      counters: new MemoryCounterStore({ clock }),
      plans: new PlanTable(perMinute(5)),
      clock,
    });
    const results: LimitVerdict[] = [];
    for (let i = 0; i < 8; i++) results.push(await settle(limiter.decide("con_1", "p", 1, clock.now())));
    expect(results.map((r) => r.type)).toEqual([
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "deny",
      "deny",
      "deny",
    ]);
    expect(results[5]).toMatchObject({ type: "deny", code: "RATE_LIMITED", retryAfterSeconds: 42 });
    const last = results[4];
    expect(last?.type === "allow" && last.states[0]?.remaining).toBe(0);
    clock.current = T0 + MIN;
    expect(await settle(limiter.decide("con_1", "p", 1, clock.now()))).toMatchObject({
      type: "allow",
      states: [{ remaining: 4 }],
    });
    await limiter.close();
  });

  it("charges the cost, refuses a cost that does not fit, and still lets a cheaper request use the rest", async () => {
    const clock = new ManualClock(T0);
    const limiter = await startLimiter({
      counters: new MemoryCounterStore({ clock }),
      plans: new PlanTable(perMinute(10)),
      clock,
    });
    const costs = [3, 3, 3, 3, 1, 1, 0];
    const verdicts = [];
    for (const cost of costs) verdicts.push(await settle(limiter.decide("con_1", "p", cost, T0)));
    expect(verdicts.map((v) => v.type)).toEqual([
      "allow",
      "allow",
      "allow",
      "deny",
      "allow",
      "deny",
      "allow",
    ]);
    expect(verdicts[6]).toMatchObject({ states: [{ remaining: 0 }] });
    await limiter.close();
  });

  it("reports QUOTA_EXCEEDED for a spent quota, across rate windows, until the period ends", async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 31, 23, 58, 0));
    const limiter = await startLimiter({
      counters: new MemoryCounterStore({ clock }),
      plans: new PlanTable(
        plan("p", { rateLimit: { limit: 2, windowSeconds: 60 }, quota: { limit: 3, period: "month" } }),
      ),
      clock,
    });
    const run = async () => settle(limiter.decide("con_1", "p", 1, clock.now()));
    expect((await run()).type).toBe("allow");
    expect((await run()).type).toBe("allow");
    expect(await run()).toMatchObject({ type: "deny", code: "RATE_LIMITED", retryAfterSeconds: 60 });
    clock.advance(MIN);
    expect((await run()).type).toBe("allow");
    expect(await run()).toMatchObject({ type: "deny", code: "QUOTA_EXCEEDED", retryAfterSeconds: 60 });
    clock.advance(MIN);
    expect(await run()).toMatchObject({ type: "allow", states: [{ remaining: 2 }, { remaining: 1 }] });
    await limiter.close();
  });

  it("answers from its lease without a promise, and asks the store once per lease, not per request", async () => {
    const clock = new ManualClock(T0);
    const store = new SwitchableCounterStore(clock);
    const limiter = await startLimiter({
      counters: store,
      plans: new PlanTable(plan("p", { quota: { limit: 1_000_000, period: "month" } })),
      clock,
    });
    let sync = 0;
    for (let i = 0; i < 5000; i++) {
      const verdict = limiter.decide("con_1", "p", 1, T0);
      if (!(verdict instanceof Promise)) sync++;
      expect(allowed(await settle(verdict))).toBe(true);
    }
    expect(store.takes).toBeLessThanOrEqual(6);
    expect(sync).toBeGreaterThan(4990);
    await limiter.close();
  });

  it("keeps counters per consumer, whatever key made the request", async () => {
    const clock = new ManualClock(T0);
    const limiter = await startLimiter({
      counters: new MemoryCounterStore({ clock }),
      plans: new PlanTable(perMinute(1)),
      clock,
    });
    expect((await settle(limiter.decide("con_1", "p", 1, T0))).type).toBe("allow");
    expect((await settle(limiter.decide("con_1", "p", 1, T0))).type).toBe("deny");
    expect((await settle(limiter.decide("con_2", "p", 1, T0))).type).toBe("allow");
    await limiter.close();
  });

  it("decides with a changed plan as soon as the change is announced", async () => {
    const clock = new ManualClock(T0);
    const plans = new PlanTable(perMinute(1));
    const limiter = await startLimiter({ counters: new MemoryCounterStore({ clock }), plans, clock });
    expect((await settle(limiter.decide("con_1", "p", 1, T0))).type).toBe("allow");
    expect((await settle(limiter.decide("con_1", "p", 1, T0))).type).toBe("deny");
    plans.plans = [perMinute(3)];
    limiter.plansChanged();
    // Same window, same counter: one used, two more allowed.
    expect((await settle(limiter.decide("con_1", "p", 1, T0))).type).toBe("allow");
    expect((await settle(limiter.decide("con_1", "p", 1, T0))).type).toBe("allow");
    expect((await settle(limiter.decide("con_1", "p", 1, T0))).type).toBe("deny");
    await limiter.close();
  });

  it("reports usage: the plan, remaining of the rate window, used of the quota, and reset times", async () => {
    const clock = new ManualClock(T0 + 5_000);
    const limiter = await startLimiter({
      counters: new MemoryCounterStore({ clock }),
      plans: new PlanTable(
        plan("p", { rateLimit: { limit: 10, windowSeconds: 60 }, quota: { limit: 100, period: "day" } }),
      ),
      clock,
    });
    for (let i = 0; i < 3; i++) await settle(limiter.decide("con_1", "p", 2, clock.now()));
    expect(await limiter.usage("con_1", "p", clock.now())).toMatchObject({
      plan: { name: "p" },
      rate: { limit: 10, remaining: 4, resetAt: rateWindow(clock.now(), 60).end },
      quota: { limit: 100, used: 6, period: "day", resetAt: Date.UTC(2026, 2, 5) },
    });
    expect(await limiter.usage("con_1", null, clock.now())).toEqual({
      plan: undefined,
      rate: null,
      quota: null,
    });
    await limiter.close();
  });
});

describe("Limiter on several nodes sharing one counter store", () => {
  async function cluster(limit: number, nodes: number, options: { idleReleaseMs?: number } = {}) {
    const clock = new ManualClock(T0);
    const shared = new SwitchableCounterStore(clock);
    const plans = new PlanTable(plan("p", { quota: { limit, period: "month" } }));
    const limiters = [];
    for (let i = 0; i < nodes; i++) {
      limiters.push(
        await startLimiter({
          counters: shared,
          shared: { liveNodes: async () => nodes },
          plans,
          clock,
          ...options,
        }),
      );
    }
    return { clock, shared, limiters };
  }

  it("allows exactly N, then refuses, with requests spread round-robin over 3 nodes", async () => {
    for (const limit of [1, 7, 100, 1000, 25_000]) {
      const { limiters } = await cluster(limit, 3);
      const outcomes: string[] = [];
      for (let i = 0; i < limit + 30; i++) {
        const node = limiters[i % 3];
        if (node === undefined) throw new Error("no node");
        outcomes.push((await settle(node.decide("con_1", "p", 1, T0))).type);
      }
      const firstDeny = outcomes.indexOf("deny");
      expect(firstDeny, `limit ${limit}`).toBe(limit);
      expect(
        outcomes.slice(firstDeny).every((o) => o === "deny"),
        `limit ${limit}`,
      ).toBe(true);
      for (const l of limiters) await l.close();
    }
  });

  it("never allows more than N under concurrent, unevenly spread traffic", async () => {
    const { limiters } = await cluster(500, 3);
    const decisions = await Promise.all(
      Array.from({ length: 1500 }, (_, i) => {
        const node = limiters[(i * i) % 3];
        if (node === undefined) throw new Error("no node");
        return settle(node.decide("con_1", "p", 1 + (i % 2), T0));
      }),
    );
    const charged = decisions.reduce((sum, d, i) => sum + (d.type === "allow" ? 1 + (i % 2) : 0), 0);
    expect(charged).toBeLessThanOrEqual(500);
    for (const l of limiters) await l.close();
  });

  it("hands back an idle node's lease, so another node reaches exactly N", async () => {
    const { clock, limiters, shared } = await cluster(600, 3, { idleReleaseMs: 1000 });
    const [a, b] = limiters;
    if (a === undefined || b === undefined) throw new Error("no nodes");
    for (let i = 0; i < 10; i++)
      expect((await settle(a.decide("con_1", "p", 1, clock.now()))).type).toBe("allow");
    // a holds most of its first lease (600 / (4 × 4 nodes at least) = 37 units): without handing it back, b would stop short.
    expect(await shared.inner.read([`con_1:q:month:${Date.UTC(2026, 2, 1)}`])).toEqual([37]);
    clock.advance(1000);
    await a.releaseIdle();
    let allowedOnB = 0;
    for (let i = 0; i < 700; i++)
      if ((await settle(b.decide("con_1", "p", 1, clock.now()))).type === "allow") allowedOnB++;
    expect(allowedOnB).toBe(590);
    for (const l of limiters) await l.close();
  });

  it("hands back what it holds when the consumer's quota is refused", async () => {
    const clock = new ManualClock(T0);
    const shared = new SwitchableCounterStore(clock);
    const plans = new PlanTable(
      plan("p", { rateLimit: { limit: 1000, windowSeconds: 60 }, quota: { limit: 5, period: "day" } }),
    );
    const a = await startLimiter({ counters: shared, shared: { liveNodes: async () => 2 }, plans, clock });
    for (let i = 0; i < 5; i++) await settle(a.decide("con_1", "p", 1, T0));
    const rateKey = `con_1:r:60:${T0}`;
    expect((await shared.inner.read([rateKey]))[0]).toBeGreaterThan(5);
    expect(await settle(a.decide("con_1", "p", 1, T0))).toMatchObject({ code: "QUOTA_EXCEEDED" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await shared.inner.read([rateKey])).toEqual([5]);
    await a.close();
  });
});

describe("Limiter when the shared store is unreachable", () => {
  it("keeps answering on local counters (its share of what was left), says so once, and re-syncs", async () => {
    const clock = new ManualClock(T0);
    const shared = new SwitchableCounterStore(clock);
    const log = new RecordingLog();
    const limiter = await startLimiter({
      counters: shared,
      shared: { liveNodes: async () => 2 },
      plans: new PlanTable(plan("p", { quota: { limit: 100, period: "day" } })),
      clock,
      logger: log,
    });
    const key = `con_1:q:day:${Date.UTC(2026, 2, 4)}`;
    for (let i = 0; i < 20; i++) await settle(limiter.decide("con_1", "p", 1, T0));
    expect(limiter.metricsText()).toContain("keygate_limits_degraded 0");
    // The lease this node holds goes back when idle: the shared counter then reads exactly what was spent.
    clock.advance(1000);
    await limiter.releaseIdle();
    expect(await shared.inner.read([key])).toEqual([20]);

    shared.down = true;
    const during: string[] = [];
    for (let i = 0; i < 60; i++)
      during.push((await settle(limiter.decide("con_1", "p", 1, clock.now()))).type);
    // 80 were left when the store went away; with 2 live nodes this one allows half of them.
    expect(during.filter((d) => d === "allow")).toHaveLength(40);
    expect(during.slice(40).every((d) => d === "deny")).toBe(true);
    expect(limiter.degraded).toBe(true);
    expect(limiter.metricsText()).toContain("keygate_limits_degraded 1");
    expect(limiter.metricsText()).toContain("keygate_limits_outages_total 1");
    await limiter.probe();
    expect(limiter.degraded).toBe(true);
    expect(log.count("warn", "limits degraded")).toBe(1);

    shared.down = false;
    await limiter.probe();
    expect(limiter.degraded).toBe(false);
    expect(log.count("info", "limits restored")).toBe(1);
    // 20 before the outage + 40 spent locally, added back.
    expect(await shared.inner.read([key])).toEqual([60]);
    const after: string[] = [];
    for (let i = 0; i < 50; i++)
      after.push((await settle(limiter.decide("con_1", "p", 1, clock.now()))).type);
    expect(after.filter((d) => d === "allow")).toHaveLength(40);
    expect(limiter.metricsText()).toContain("keygate_limits_degraded 0");
    await limiter.close();
  });
});

describe("Limiter lease sizing when the live-node count is low", () => {
  it("still allows exactly N, then refuses, on 3 nodes that each believe they are alone", async () => {
    for (const limit of [30, 120, 1000]) {
      const clock = new ManualClock(T0);
      const shared = new SwitchableCounterStore(clock);
      const plans = new PlanTable(perMinute(limit));
      const nodes = [];
      for (let i = 0; i < 3; i++) {
        nodes.push(
          await startLimiter({ counters: shared, shared: { liveNodes: async () => 1 }, plans, clock }),
        );
      }
      const outcomes: string[] = [];
      for (let i = 0; i < limit + 20; i++) {
        const node = nodes[i % 3];
        if (node === undefined) throw new Error("no node");
        outcomes.push((await settle(node.decide("con_1", "p", 1, T0))).type);
      }
      expect(outcomes.indexOf("deny"), `limit ${limit}`).toBe(limit);
      expect(outcomes.slice(limit).every((o) => o === "deny")).toBe(true);
      for (const node of nodes) await node.close();
    }
  });
});

describe("Limiter exactness (property)", () => {
  it("never allows more than N in any interleaving over nodes, and one node reaches N once the others' idle leases are back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 600 }),
        async (nodeCount, limit, traffic) => {
          const clock = new ManualClock(T0);
          const shared = new SwitchableCounterStore(clock);
          const plans = new PlanTable(plan("p", { quota: { limit, period: "month" } }));
          const nodes = [];
          for (let i = 0; i < nodeCount; i++) {
            nodes.push(
              await startLimiter({
                counters: shared,
                shared: { liveNodes: async () => nodeCount },
                plans,
                clock,
              }),
            );
          }
          let charged = 0;
          for (const [pick, cost] of traffic) {
            const verdict = await settle(
              nodes[pick % nodeCount]?.decide("con_1", "p", cost, clock.now()) ?? UNLIMITED,
            );
            if (verdict.type === "allow") charged += cost;
          }
          expect(charged).toBeLessThanOrEqual(limit);
          clock.advance(1000);
          for (const node of nodes) await node.releaseIdle();
          clock.advance(1000);
          // The traffic moves to one node: the others' leases must not strand.
          for (let i = 0; charged < limit && i < limit; i++) {
            const verdict = await settle(nodes[0]?.decide("con_1", "p", 1, clock.now()) ?? UNLIMITED);
            if (verdict.type === "allow") charged++;
          }
          expect(charged).toBe(limit);
          for (const node of nodes) await node.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
