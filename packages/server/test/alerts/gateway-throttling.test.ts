import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AuthFailureGuard } from "../../src/alerts/auth-failure-guard.ts";
import {
  type GatewayHarness,
  startGateway,
  startUpstream,
  type Upstream,
} from "../gateway/gateway-harness.ts";
import { unknownSecret } from "../verify/key-world.ts";

/** Throttling of failed authentications through a real gateway on loopback. */
describe("gateway: throttling clients that keep failing to authenticate", () => {
  let upstream: Upstream;
  let gw: GatewayHarness;
  let guard: AuthFailureGuard;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  beforeEach(async () => {
    guard = new AuthFailureGuard({ spikePerMinute: 2, throttlePerMinute: 3 });
    gw = await startGateway(upstream.url, { failureGuard: guard });
    // 10 s into a minute: the throttle lasts the 50 s left of it.
    gw.world.clock.current = Date.UTC(2026, 0, 1, 12, 0, 10);
  });
  afterEach(async () => {
    await gw.close();
  });

  const call = (headers: Record<string, string> = {}) => fetch(`${gw.url}/v2/x`, { headers });

  it("answers 429 RATE_LIMITED with Retry-After past the limit, before any lookup, and lets valid keys of other clients through", async () => {
    const unknown = unknownSecret();
    for (let i = 0; i < 4; i++) expect((await call({ "x-api-key": unknown })).status).toBe(401);
    const readsBefore = gw.store.reads;
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const throttled = await call({ "x-api-key": secret });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("50");
    expect(throttled.headers.get("content-type")).toBe("application/problem+json");
    expect(await throttled.json()).toMatchObject({ code: "RATE_LIMITED", status: 429, instance: "/v2/x" });
    expect(gw.store.reads).toBe(readsBefore);
    expect(upstream.seen).toHaveLength(0);
    expect(guard.stats()).toMatchObject({ failures: 4, throttled: 1, throttledClients: 1 });

    // A minute later the client is heard again.
    gw.world.clock.current += 50_000;
    expect((await call({ "x-api-key": secret })).status).toBe(200);
  });

  it("counts 401s only: scope denials and valid calls never throttle", async () => {
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    for (let i = 0; i < 5; i++) {
      expect((await call({ "x-api-key": secret })).status).toBe(200);
      const denied = await fetch(`${gw.url}/v2/orders`, { method: "POST", headers: { "x-api-key": secret } });
      expect(denied.status).toBe(403);
    }
    expect(guard.throttling).toBe(false);
    expect(guard.stats().failures).toBe(0);
  });

  it("queues a failure spike for the client and for the key hint, keeping no secret", async () => {
    const unknown = unknownSecret();
    for (let i = 0; i < 3; i++) await call({ "x-api-key": unknown });
    await call({ "x-api-key": "kg_live_not-even-close" });
    const spikes = guard.drainSpikes();
    expect(spikes.map((s) => [s.dimension, s.failures])).toEqual([
      ["clientIp", 4],
      ["keyHint", 3],
    ]);
    expect(JSON.stringify(spikes)).not.toContain(unknown);
  });
});
