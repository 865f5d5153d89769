/**
 * Security review, finding 4: a read-only key must not reach `POST /v2/orders`
 * (scope `trade`) through another spelling of the path. Every request is
 * written byte for byte on a raw socket, so no client normalises it first.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayHarness, startGateway, startUpstream, type Upstream } from "./gateway-harness.ts";
import { rawExchange, rawRequest } from "./raw-http.ts";

const SPELLINGS = [
  "/v2/orders;x=1",
  "/v2\\orders",
  "/v2/orders.",
  "/v2/orders%20",
  "/v2/%6Frders",
  "//v2/orders",
  "/v2/./orders",
  "/v2/x/../orders",
  "/v2/orders%2e",
  "/v2/%2e%2e/v2/orders",
  "/v2%2Forders",
  "/v2/orders/.",
  "/v2/orders%00",
];

describe("security review 4: non-canonical paths cannot dodge a route's scope", () => {
  let upstream: Upstream;
  let gw: GatewayHarness;
  let readOnly: string;
  let trader: string;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  beforeEach(async () => {
    gw = await startGateway(upstream.url);
    const consumer = await gw.world.addConsumer();
    readOnly = (await gw.world.addKey(consumer.id, { scopes: ["read"] })).secret;
    trader = (await gw.world.addKey(consumer.id, { scopes: ["read", "trade"] })).secret;
    upstream.seen.length = 0;
  });
  afterEach(async () => {
    await gw.close();
  });

  it.each(SPELLINGS)("refuses POST %s with a read-only key, and the upstream sees nothing", async (path) => {
    const { responses } = await rawExchange(gw.url, rawRequest("POST", path, { "x-api-key": readOnly }));
    const response = responses[0];
    expect(response?.headers["content-type"]).toBe("application/problem+json");
    const problem = JSON.parse(response?.body ?? "{}") as { code?: string };
    expect([
      [403, "SCOPE_DENIED"],
      [400, "VALIDATION_FAILED"],
    ]).toContainEqual([response?.status, problem.code]);
    expect(upstream.seen).toHaveLength(0);
  });

  it("refuses what cannot be canonicalised with 400 VALIDATION_FAILED, listing the problem", async () => {
    for (const path of ["/v2/orders;x=1", "/v2\\orders", "/v2/orders.", "/v2/orders%20", "/v2%2Forders"]) {
      const { responses } = await rawExchange(gw.url, rawRequest("GET", path, { "x-api-key": trader }));
      expect(responses[0]?.status, path).toBe(400);
      const problem = JSON.parse(responses[0]?.body ?? "{}") as { code?: string; errors?: unknown[] };
      expect(problem.code).toBe("VALIDATION_FAILED");
      expect(problem.errors).toHaveLength(1);
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it("forwards the canonical path (with the query as sent) when the key has the scope", async () => {
    const cases: Array<[string, string]> = [
      ["/v2/%6Frders?symbol=ETH", "/v2/orders?symbol=ETH"],
      ["//v2//orders", "/v2/orders"],
      ["/v2/./x/../orders", "/v2/orders"],
      ["/v2/caf%c3%a9/", "/v2/caf%C3%A9/"],
    ];
    for (const [sent, forwarded] of cases) {
      const { responses } = await rawExchange(gw.url, rawRequest("POST", sent, { "x-api-key": trader }));
      expect(responses[0]?.status, sent).toBe(200);
      expect(upstream.seen.at(-1)?.url).toBe(forwarded);
    }
  });

  it("reports the scope denial of an encoded spelling on its canonical path", async () => {
    const { responses } = await rawExchange(
      gw.url,
      rawRequest("POST", "/v2/%6Frders", { "x-api-key": readOnly }),
    );
    expect(responses[0]?.status).toBe(403);
    expect(JSON.parse(responses[0]?.body ?? "{}")).toMatchObject({
      code: "SCOPE_DENIED",
      instance: "/v2/orders",
    });
  });
});
