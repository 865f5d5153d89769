import type { Plan } from "@keygate/core";
import { afterEach, describe, expect, it } from "vitest";
import { Limiter } from "../../src/limits/limiter.ts";
import { MemoryCounterStore } from "../../src/limits/memory-counter-store.ts";
import {
  type GatewayHarness,
  startGateway,
  startUpstream,
  type Upstream,
} from "../gateway/gateway-harness.ts";
import { KeyWorld, ManualClock } from "../verify/key-world.ts";
import { RecordingLog } from "./support/limits-fixtures.ts";

// 18 s into a minute, so a per-minute window has 42 s left.
const T0 = Date.UTC(2026, 2, 4, 10, 15, 18);

async function putPlan(world: KeyWorld, plan: Omit<Plan, "updatedAt">): Promise<void> {
  const result = await world.store.commit({
    writes: [{ type: "putPlan", plan: { ...plan, updatedAt: world.clock.now() } }],
    audit: [],
    events: [],
  });
  if (!result.ok) throw new Error(result.conflict);
}

interface Setup {
  readonly world: KeyWorld;
  readonly gateway: GatewayHarness;
  readonly upstream: Upstream;
  readonly limiter: Limiter;
}

const open: Setup[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.gateway.close();
    await s.limiter.close();
    await s.upstream.close();
  }
});

async function setup(plans: Array<Omit<Plan, "updatedAt">>): Promise<Setup> {
  const world = new KeyWorld(new ManualClock(T0));
  for (const plan of plans) await putPlan(world, plan);
  const limiter = new Limiter({
    counters: new MemoryCounterStore({ clock: world.clock }),
    plans: world.store,
    clock: world.clock,
    logger: new RecordingLog(),
  });
  await limiter.start();
  const upstream = await startUpstream();
  const gateway = await startGateway(upstream.url, { limiter }, world);
  const s = { world, gateway, upstream, limiter };
  open.push(s);
  return s;
}

const get = (s: Setup, secret: string, path = "/v2/daily-ohlcv?symbol=ETH") =>
  fetch(`${s.gateway.url}${path}`, { headers: { "x-api-key": secret } });
const order = (s: Setup, secret: string) =>
  fetch(`${s.gateway.url}/v2/orders`, {
    method: "POST",
    headers: { "x-api-key": secret, "content-type": "application/json" },
    body: JSON.stringify({ symbol: "ETH", side: "buy" }),
  });

describe("gateway with rate limits and quotas", () => {
  it("answers within the limit with RateLimit-Policy and RateLimit, then 429 RATE_LIMITED problem+json with Retry-After", async () => {
    const s = await setup([
      { name: "pro", rateLimit: { limit: 3, windowSeconds: 60 }, quota: null, scopes: null },
    ]);
    const consumer = await s.world.addConsumer({ plan: "pro" });
    const { secret } = await s.world.addKey(consumer.id);

    for (let i = 1; i <= 3; i++) {
      const response = await get(s, secret);
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-policy")).toBe('"minute";q=3;w=60');
      expect(response.headers.get("ratelimit")).toBe(`"minute";r=${3 - i};t=42`);
      await response.arrayBuffer();
    }
    const refused = await get(s, secret);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("42");
    expect(refused.headers.get("ratelimit")).toBe('"minute";r=0;t=42');
    expect(refused.headers.get("ratelimit-policy")).toBe('"minute";q=3;w=60');
    const problem = (await refused.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      status: 429,
      code: "RATE_LIMITED",
      type: "https://keygate.dev/errors/RATE_LIMITED",
      instance: "/v2/daily-ohlcv",
    });
    expect(String(problem.detail)).toContain("retry after 42 s");
    expect(String(problem.detail)).not.toContain(secret);
    // The refused request never reached the upstream.
    expect(s.upstream.seen).toHaveLength(3);

    s.world.clock.advance(42_000);
    const next = await get(s, secret);
    expect(next.status).toBe(200);
    expect(next.headers.get("ratelimit")).toBe('"minute";r=2;t=60');
  });

  it("charges each route's configured cost, and refuses QUOTA_EXCEEDED until the period ends", async () => {
    const s = await setup([
      { name: "trader", rateLimit: null, quota: { limit: 12, period: "day" }, scopes: null },
    ]);
    const consumer = await s.world.addConsumer({ plan: "trader" });
    const { secret } = await s.world.addKey(consumer.id, { scopes: ["trade"] });
    const untilMidnight = (Date.UTC(2026, 2, 5) - T0) / 1000;

    // POST /v2/orders costs 5 (route table), everything else 1.
    expect((await order(s, secret)).status).toBe(200);
    const second = await order(s, secret);
    expect(second.status).toBe(200);
    expect(second.headers.get("ratelimit")).toBe(`"day";r=2;t=${untilMidnight}`);
    const third = await order(s, secret);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe(String(untilMidnight));
    expect(await third.json()).toMatchObject({ code: "QUOTA_EXCEEDED" });
    // The 2 units left still serve two cost-1 requests.
    expect((await get(s, secret)).status).toBe(200);
    expect((await get(s, secret)).status).toBe(200);
    const spent = await get(s, secret);
    expect(spent.status).toBe(429);
    expect(spent.headers.get("ratelimit-policy")).toBe('"day";q=12;w=86400');
    expect(await spent.json()).toMatchObject({ code: "QUOTA_EXCEEDED" });
    expect(s.upstream.seen.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("counts per consumer: a second key (a rotation's successor) shares the counter", async () => {
    const s = await setup([
      { name: "pro", rateLimit: { limit: 2, windowSeconds: 60 }, quota: null, scopes: null },
    ]);
    const consumer = await s.world.addConsumer({ plan: "pro" });
    const oldKey = await s.world.addKey(consumer.id);
    const newKey = await s.world.addKey(consumer.id);
    const other = await s.world.addKey((await s.world.addConsumer({ plan: "pro" })).id);
    expect((await get(s, oldKey.secret)).status).toBe(200);
    expect((await get(s, newKey.secret)).status).toBe(200);
    expect((await get(s, newKey.secret)).status).toBe(429);
    expect((await get(s, oldKey.secret)).status).toBe(429);
    expect((await get(s, other.secret)).status).toBe(200);
  });

  it("sends no RateLimit fields for a consumer without limits, nor on a refused key", async () => {
    const s = await setup([
      { name: "pro", rateLimit: { limit: 2, windowSeconds: 60 }, quota: null, scopes: null },
    ]);
    const free = await s.world.addKey((await s.world.addConsumer()).id);
    const response = await get(s, free.secret);
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit")).toBeNull();
    expect(response.headers.get("ratelimit-policy")).toBeNull();
    const missing = await fetch(`${s.gateway.url}/v2/daily-ohlcv`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("ratelimit")).toBeNull();
  });

  it("counts refusals in the gateway's metrics and serves the limiter's state on /metrics", async () => {
    const s = await setup([
      { name: "pro", rateLimit: { limit: 1, windowSeconds: 60 }, quota: null, scopes: null },
    ]);
    const { secret } = await s.world.addKey((await s.world.addConsumer({ plan: "pro" })).id);
    expect((await get(s, secret)).status).toBe(200);
    expect((await get(s, secret)).status).toBe(429);
    expect(s.limiter.metricsText()).toContain('keygate_limits_decisions_total{result="RATE_LIMITED"} 1');
    expect(s.limiter.metricsText()).toContain("keygate_limits_degraded 0");
  });
});
