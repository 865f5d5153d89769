/**
 * Security review, finding 5: the upstream trusts `x-keygate-*` request
 * headers, and CGI, WSGI, Rack and PHP read `x_keygate_consumer_id` as
 * `X-Keygate-Consumer-Id`. No spelling of them may come from the client.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayHarness, startGateway, startUpstream, type Upstream } from "./gateway-harness.ts";
import { rawExchange, rawRequest } from "./raw-http.ts";

describe("security review 5: client-sent x-keygate-* headers never reach the upstream, in any spelling", () => {
  let upstream: Upstream;
  let gw: GatewayHarness;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  beforeEach(async () => {
    gw = await startGateway(upstream.url);
    upstream.seen.length = 0;
  });
  afterEach(async () => {
    await gw.close();
  });

  it("strips underscore, mixed-case and mixed-separator spellings; sets the real ones", async () => {
    const consumer = await gw.world.addConsumer();
    const { secret, key } = await gw.world.addKey(consumer.id);
    const { responses } = await rawExchange(
      gw.url,
      rawRequest("GET", "/v2/x", {
        "x-api-key": secret,
        x_keygate_consumer_id: "con_spoofed",
        X_KEYGATE_KEY_ID: "key_spoofed",
        "x-keygate_consumer-id": "con_spoofed2",
        "X-KeyGate-Scopes": "trade",
        "x_keygate-anything": "1",
        "x-keygatex": "kept",
        "x-keygate": "kept too",
      }),
    );
    expect(responses[0]?.status).toBe(200);
    const seen = upstream.seen[0]?.headers ?? {};
    const keygateNamed = Object.keys(seen).filter((name) =>
      name.toLowerCase().replaceAll("_", "-").startsWith("x-keygate-"),
    );
    expect(keygateNamed.sort()).toEqual(["x-keygate-consumer-id", "x-keygate-key-id"]);
    expect(seen["x-keygate-consumer-id"]).toBe(consumer.id);
    expect(seen["x-keygate-key-id"]).toBe(key.id);
    expect(seen["x-keygatex"]).toBe("kept");
    expect(seen["x-keygate"]).toBe("kept too");
  });
});
