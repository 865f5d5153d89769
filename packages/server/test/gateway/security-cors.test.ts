/**
 * Security review, finding 6: a CORS preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) carries no key, so it must never reach the
 * upstream: the gateway answers it, from `gateway.cors` when configured.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CorsConfig } from "../../src/gateway/gateway-cors.ts";
import { type GatewayHarness, startGateway, startUpstream, type Upstream } from "./gateway-harness.ts";
import { rawExchange, rawRequest } from "./raw-http.ts";

const APP = "https://app.example";
const preflight = (origin: string, method: string, headers = "x-api-key") => ({
  origin,
  "access-control-request-method": method,
  "access-control-request-headers": headers,
});

const CORS: CorsConfig = {
  allowedOrigins: [APP],
  allowedMethods: ["GET", "POST"],
  allowedHeaders: ["x-api-key", "content-type"],
  exposedHeaders: ["x-upstream"],
  maxAgeSeconds: 300,
  allowCredentials: false,
};

describe("security review 6: preflights are answered at the gateway, never forwarded unauthenticated", () => {
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

  async function options(harness: GatewayHarness, path: string, headers: Record<string, string>) {
    const { responses } = await rawExchange(harness.url, rawRequest("OPTIONS", path, headers));
    const response = responses[0];
    if (response === undefined) throw new Error("no answer");
    return response;
  }

  it("without gateway.cors: 204 with no CORS headers, and the upstream sees nothing", async () => {
    gw = await startGateway(upstream.url);
    const response = await options(gw, "/v2/orders", preflight(APP, "POST"));
    expect(response.status).toBe(204);
    expect(Object.keys(response.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
    expect(upstream.seen).toHaveLength(0);
    // An OPTIONS that is not a preflight is a request like any other: it needs a key.
    expect((await options(gw, "/v2/orders", { origin: APP })).status).toBe(401);
    expect(upstream.seen).toHaveLength(0);
  });

  it("with gateway.cors: an allowed origin, method and headers get the policy; the upstream sees nothing", async () => {
    gw = await startGateway(upstream.url, { cors: CORS });
    const allowed = await options(gw, "/v2/orders", preflight(APP, "POST", "X-Api-Key, Content-Type"));
    expect(allowed.status).toBe(204);
    expect(allowed.headers).toMatchObject({
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "GET, POST",
      "access-control-allow-headers": "x-api-key, content-type",
      "access-control-max-age": "300",
      vary: "Origin",
    });
    expect(allowed.headers["access-control-allow-credentials"]).toBeUndefined();

    for (const refused of [
      preflight("https://evil.example", "POST"),
      preflight(APP, "DELETE"),
      preflight(APP, "GET", "x-api-key, x-secret-debug"),
    ]) {
      const response = await options(gw, "/v2/orders", refused);
      expect(response.status).toBe(204);
      expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it("with gateway.cors: responses carry the gateway's policy, not the upstream's", async () => {
    gw = await startGateway(upstream.url, { cors: CORS });
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const { responses } = await rawExchange(
      gw.url,
      rawRequest("GET", "/v2/x", { origin: APP, "x-api-key": secret }),
    );
    expect(responses[0]?.status).toBe(200);
    expect(responses[0]?.headers["access-control-allow-origin"]).toBe(APP);
    expect(responses[0]?.headers["access-control-expose-headers"]).toContain("x-upstream");
    expect(responses[0]?.headers["access-control-expose-headers"]).toContain("ratelimit");
    expect(responses[0]?.headers.vary).toBe("Origin");

    const other = await rawExchange(
      gw.url,
      rawRequest("GET", "/v2/x", { origin: "https://evil.example", "x-api-key": secret }),
    );
    expect(other.responses[0]?.status).toBe(200);
    expect(other.responses[0]?.headers["access-control-allow-origin"]).toBeUndefined();

    const refused = await rawExchange(gw.url, rawRequest("GET", "/v2/x", { origin: APP }));
    expect(refused.responses[0]?.status).toBe(401);
    expect(refused.responses[0]?.headers["access-control-allow-origin"]).toBe(APP);
  });

  it("with credentials allowed: the origin is echoed and Allow-Credentials is sent", async () => {
    gw = await startGateway(upstream.url, { cors: { ...CORS, allowCredentials: true } });
    const response = await options(gw, "/v2/x", preflight(APP, "GET"));
    expect(response.headers["access-control-allow-origin"]).toBe(APP);
    expect(response.headers["access-control-allow-credentials"]).toBe("true");
  });
});
