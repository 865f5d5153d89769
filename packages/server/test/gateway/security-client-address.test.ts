/**
 * Security review, findings 8 and 9: a client's `X-Forwarded-For`,
 * `Forwarded` and `X-Real-IP` are claims, trusted only from a configured
 * proxy; failure throttling counts the client behind a trusted proxy (IPv6
 * by /64), so one guesser behind a load balancer does not lock out everyone.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuthFailureGuard } from "../../src/alerts/auth-failure-guard.ts";
import { type GatewayHarness, startGateway, startUpstream, type Upstream } from "./gateway-harness.ts";
import { rawExchange, rawRequest } from "./raw-http.ts";

describe("security review 8: forwarding headers from the client are not trusted", () => {
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
    upstream.seen.length = 0;
  });

  async function forwardedHeaders(
    harness: GatewayHarness,
    headers: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const { secret } = await harness.world.addKey((await harness.world.addConsumer()).id);
    const { responses } = await rawExchange(
      harness.url,
      rawRequest("GET", "/v2/x", { "x-api-key": secret, ...headers }),
    );
    expect(responses[0]?.status).toBe(200);
    return upstream.seen.at(-1)?.headers ?? {};
  }

  const spoofed = {
    "x-forwarded-for": "6.6.6.6",
    forwarded: "for=6.6.6.6;proto=https",
    "x-real-ip": "6.6.6.6",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "evil.example",
  };

  it("from an untrusted peer: X-Forwarded-For is the peer alone, Forwarded and X-Real-IP are dropped", async () => {
    gw = await startGateway(upstream.url);
    const seen = await forwardedHeaders(gw, spoofed);
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.forwarded).toBeUndefined();
    expect(seen["x-real-ip"]).toBeUndefined();
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-forwarded-host"]).toBe("127.0.0.1");
  });

  it("from a trusted proxy: its chain is kept and the peer appended; its proto and host are kept", async () => {
    gw = await startGateway(upstream.url, { trustedProxies: ["127.0.0.0/8", "10.0.0.0/8"] });
    const seen = await forwardedHeaders(gw, {
      ...spoofed,
      "x-forwarded-for": "198.51.100.9, 203.0.113.7, 10.0.0.2",
      "x-forwarded-host": "api.example",
    });
    expect(seen["x-forwarded-for"]).toBe("198.51.100.9, 203.0.113.7, 10.0.0.2, 127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("https");
    expect(seen["x-forwarded-host"]).toBe("api.example");
    expect(seen["x-real-ip"]).toBe("6.6.6.6");
  });
});

describe("security review 9: failure throttling counts the client behind a trusted proxy", () => {
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

  async function statusFrom(harness: GatewayHarness, forwardedFor: string, key: string): Promise<number> {
    const { responses } = await rawExchange(
      harness.url,
      rawRequest("GET", "/v2/x", { "x-api-key": key, "x-forwarded-for": forwardedFor }),
    );
    return responses[0]?.status ?? 0;
  }

  it("throttles the guesser, not the other clients of the same load balancer; IPv6 by /64", async () => {
    gw = await startGateway(upstream.url, {
      trustedProxies: ["127.0.0.1"],
      failureGuard: new AuthFailureGuard({ spikePerMinute: 0, throttlePerMinute: 3 }),
    });
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    for (let i = 0; i < 4; i++) expect(await statusFrom(gw, "203.0.113.7", "nope")).toBe(401);
    expect(await statusFrom(gw, "203.0.113.7", secret)).toBe(429);
    // Another client behind the same proxy (same socket peer) is unaffected; so is a spoofed hop on the left.
    expect(await statusFrom(gw, "203.0.113.8", secret)).toBe(200);
    expect(await statusFrom(gw, "203.0.113.7, 203.0.113.9", secret)).toBe(200);
    expect(await statusFrom(gw, "203.0.113.9, 203.0.113.7", secret)).toBe(429);

    for (let i = 0; i < 4; i++) expect(await statusFrom(gw, "2001:db8:1:2::1", "nope")).toBe(401);
    expect(await statusFrom(gw, "2001:db8:1:2:ffff::9", secret)).toBe(429);
    expect(await statusFrom(gw, "[2001:db8:1:2::2]:4711", secret)).toBe(429);
    expect(await statusFrom(gw, "2001:db8:1:3::1", secret)).toBe(200);
  });

  it("without trusted proxies, a client cannot escape its throttle by claiming another address", async () => {
    gw = await startGateway(upstream.url, {
      failureGuard: new AuthFailureGuard({ spikePerMinute: 0, throttlePerMinute: 3 }),
    });
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    for (let i = 0; i < 4; i++) expect(await statusFrom(gw, `203.0.113.${i}`, "nope")).toBe(401);
    expect(await statusFrom(gw, "198.51.100.1", secret)).toBe(429);
  });
});
