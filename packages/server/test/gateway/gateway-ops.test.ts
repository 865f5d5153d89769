import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GatewayLimiter } from "../../src/gateway/gateway-limiter.ts";
import { type GatewayHarness, startGateway, startUpstream, type Upstream } from "./gateway-harness.ts";

describe("gateway: health, readiness, metrics", () => {
  let upstream: Upstream;
  let gw: GatewayHarness | undefined;
  let ready = true;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it("serves /healthz and /readyz on the gateway port without a key; /metrics is not served there (finding 7)", async () => {
    gw = await startGateway(upstream.url, { ready: async () => ready });
    const health = await fetch(`${gw.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    ready = true;
    const readyResponse = await fetch(`${gw.url}/readyz?verbose=1`);
    expect(readyResponse.status).toBe(200);
    expect(await readyResponse.json()).toEqual({ status: "ready" });

    ready = false;
    const notReady = await fetch(`${gw.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("content-type")).toBe("application/problem+json");
    expect(await notReady.json()).toMatchObject({
      code: "STORE_UNAVAILABLE",
      status: 503,
      instance: "/readyz",
    });

    // An anonymous caller learns nothing about plans, outcomes or the cache: /metrics needs a key like any path.
    const metrics = await fetch(`${gw.url}/metrics`);
    expect(metrics.status).toBe(401);
    expect(await metrics.json()).toMatchObject({ code: "KEY_MISSING" });
    // With a key it is an ordinary upstream path.
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    expect((await fetch(`${gw.url}/metrics`, { headers: { "x-api-key": secret } })).status).toBe(200);
    expect(upstream.seen.at(-1)?.url).toBe("/metrics");

    // The counters go to the admin port / internal metrics listener through metricsText().
    const text = gw.gateway.metricsText();
    expect(text).toContain('keygate_gateway_requests_total{outcome="KEY_MISSING"} 1');
    expect(text).toContain('keygate_gateway_requests_total{outcome="VALID"} 1');
    expect(text).toMatch(/^keygate_verify_cache_entries \d+$/m);
    expect(text).toMatch(/^keygate_verify_cache_hits_total \d+$/m);
    expect(upstream.seen.some((seen) => ["/healthz", "/readyz"].includes(seen.url))).toBe(false);
  });

  it("is not ready when the readiness hook rejects", async () => {
    gw = await startGateway(upstream.url, {
      ready: () => Promise.reject(new Error("boom")),
    });
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
  });
});

describe("gateway: limiter extension point", () => {
  let upstream: Upstream;
  let gw: GatewayHarness | undefined;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it("is asked after a valid verification with the route's cost; its headers and refusals reach the client", async () => {
    const calls: Array<{ keyId: string | undefined; plan: string | null | undefined; cost: number }> = [];
    let remaining = 6;
    const limiter: GatewayLimiter = {
      check(outcome, cost) {
        calls.push({ keyId: outcome.keyId, plan: outcome.plan, cost });
        const headers = {
          "ratelimit-policy": '"default";q=10;w=60',
          ratelimit: `"default";r=${remaining - cost};t=60`,
        };
        if (remaining < cost) {
          return { allowed: false, code: "RATE_LIMITED", retryAfterSeconds: 42, headers };
        }
        remaining -= cost;
        return Promise.resolve({ allowed: true, headers });
      },
    };
    gw = await startGateway(upstream.url, { limiter });
    const consumer = await gw.world.addConsumer({ plan: "pro" });
    const { secret, key } = await gw.world.addKey(consumer.id, { scopes: ["trade"] });

    const first = await fetch(`${gw.url}/v2/orders`, { method: "POST", headers: { "x-api-key": secret } });
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit")).toBe('"default";r=1;t=60');
    expect(first.headers.get("ratelimit-policy")).toBe('"default";q=10;w=60');

    const second = await fetch(`${gw.url}/v2/orders`, { method: "POST", headers: { "x-api-key": secret } });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("42");
    expect(second.headers.get("ratelimit")).not.toBeNull();
    expect(await second.json()).toMatchObject({ code: "RATE_LIMITED", status: 429, instance: "/v2/orders" });
    expect(calls).toEqual([
      { keyId: key.id, plan: "pro", cost: 5 },
      { keyId: key.id, plan: "pro", cost: 5 },
    ]);

    // Refused verifications never reach the limiter.
    await fetch(`${gw.url}/v2/orders`, { method: "POST" });
    expect(calls).toHaveLength(2);
    expect(upstream.seen).toHaveLength(1);
  });

  it("lets requests through (and logs) when the limiter fails", async () => {
    gw = await startGateway(upstream.url, {
      limiter: {
        check: () => {
          throw new Error("counter store down");
        },
      },
    });
    const consumer = await gw.world.addConsumer();
    const { secret } = await gw.world.addKey(consumer.id);
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } })).status).toBe(200);
    expect(gw.logger.lines.filter((line) => line.level === "error")).toHaveLength(1);
  });
});

describe("gateway: usage and logs", () => {
  it("records lastUsedAt per key through the usage recorder, and never logs a secret", async () => {
    const upstream = await startUpstream();
    const gw = await startGateway(upstream.url);
    try {
      const consumer = await gw.world.addConsumer();
      const used = await gw.world.addKey(consumer.id);
      const unused = await gw.world.addKey(consumer.id);
      await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": used.secret } });
      gw.world.clock.advance(1_000);
      await fetch(`${gw.url}/v2/y`, { headers: { authorization: `Bearer ${used.secret}` } });
      await gw.usage.flush();
      expect((await gw.world.store.getKey(used.key.id))?.lastUsedAt).toBe(gw.world.clock.now());
      expect((await gw.world.store.getKey(unused.key.id))?.lastUsedAt).toBeNull();

      const buckets = gw.usage.drainBuckets(true);
      const forKey = buckets.filter((bucket) => bucket.keyId === used.key.id);
      expect(forKey).toHaveLength(1);
      expect(forKey[0]?.counts[0]).toBe(2); // VALID

      // Failures of every kind, with secrets in every carrier, then the log must still hold none of them.
      gw.store.down = true;
      await fetch(`${gw.url}/v2/x?key=${unused.secret}`, { headers: { "x-api-key": unused.secret } });
      await fetch(`${gw.url}/v2/x`, {
        headers: { "x-api-key": used.secret, authorization: `Bearer ${unused.secret}` },
      });
      await upstream.close();
      gw.world.clock.advance(60_000);
      gw.store.down = false;
      await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": used.secret } });
      expect(gw.logger.lines.length).toBeGreaterThan(0);
      for (const secret of [used.secret, unused.secret]) expect(gw.logger.text()).not.toContain(secret);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
