import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { unknownSecret, wrongChecksum } from "../verify/key-world.ts";
import {
  type GatewayHarness,
  readProblem,
  startGateway,
  startUpstream,
  type Upstream,
} from "./gateway-harness.ts";

describe("gateway: every refusal is a problem+json with the contract's code", () => {
  let upstream: Upstream;
  let gw: GatewayHarness;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  beforeEach(async () => {
    upstream.seen.length = 0;
    gw = await startGateway(upstream.url);
  });
  afterEach(async () => {
    await gw.close();
  });

  async function expectProblem(
    response: Response,
    status: number,
    code: string,
    instance: string,
  ): Promise<Record<string, unknown>> {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await readProblem(response);
    expect(body).toMatchObject({ type: `https://keygate.dev/errors/${code}`, status, code, instance });
    expect(typeof body.title).toBe("string");
    expect(typeof body.detail).toBe("string");
    expect(Object.keys(body).sort()).toEqual(["code", "detail", "instance", "status", "title", "type"]);
    if (status === 401) expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    else expect(response.headers.get("www-authenticate")).toBeNull();
    return body;
  }

  it("KEY_MISSING without a key; instance is the path without its query", async () => {
    const response = await fetch(`${gw.url}/v2/daily-ohlcv?symbol=ETH&api_key=oops`);
    await expectProblem(response, 401, "KEY_MISSING", "/v2/daily-ohlcv");
    expect(upstream.seen).toHaveLength(0);
  });

  it("KEY_MISSING for an Authorization header that is not Bearer", async () => {
    const response = await fetch(`${gw.url}/v2/x`, { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    await expectProblem(response, 401, "KEY_MISSING", "/v2/x");
  });

  it("KEY_MALFORMED for a wrong checksum, before any store read", async () => {
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const response = await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": wrongChecksum(secret) } });
    await expectProblem(response, 401, "KEY_MALFORMED", "/v2/x");
    expect(gw.store.reads).toBe(0);
  });

  it("KEY_MALFORMED when x-api-key and Bearer carry different keys", async () => {
    const consumer = await gw.world.addConsumer();
    const a = await gw.world.addKey(consumer.id);
    const b = await gw.world.addKey(consumer.id);
    const response = await fetch(`${gw.url}/v2/x`, {
      headers: { "x-api-key": a.secret, authorization: `Bearer ${b.secret}` },
    });
    const body = await expectProblem(response, 401, "KEY_MALFORMED", "/v2/x");
    expect(String(body.detail)).toContain("different keys");
    // The same key in both is fine.
    const same = await fetch(`${gw.url}/v2/x`, {
      headers: { "x-api-key": a.secret, authorization: `bearer ${a.secret}` },
    });
    expect(same.status).toBe(200);
  });

  it("KEY_NOT_FOUND for a well-formed unknown key", async () => {
    const response = await fetch(`${gw.url}/v2/x`, {
      headers: { authorization: `Bearer ${unknownSecret()}` },
    });
    await expectProblem(response, 401, "KEY_NOT_FOUND", "/v2/x");
  });

  it("KEY_EXPIRED once expiresAt passes, with the answer cached", async () => {
    const consumer = await gw.world.addConsumer();
    const { secret } = await gw.world.addKey(consumer.id, { expiresAt: gw.world.clock.now() + 10_000 });
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } })).status).toBe(200);
    gw.world.clock.advance(10_000); // well within the 30 s cache TTL
    await expectProblem(
      await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } }),
      401,
      "KEY_EXPIRED",
      "/v2/x",
    );
    expect(gw.store.reads).toBe(1);
  });

  it("KEY_EXPIRED at sunset while cached, after responses that announced it", async () => {
    const consumer = await gw.world.addConsumer();
    const { secret, key } = await gw.world.addKey(consumer.id);
    await gw.world.updateKey(key.id, {
      status: "deprecated",
      deprecatedAt: gw.world.clock.now(),
      sunsetAt: gw.world.clock.now() + 20_000,
    });
    const before = await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } });
    expect(before.status).toBe(200);
    expect(before.headers.get("sunset")).not.toBeNull();
    gw.world.clock.advance(20_000); // within the cache TTL: the cached entry itself must refuse
    const after = await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } });
    await expectProblem(after, 401, "KEY_EXPIRED", "/v2/x");
    expect(gw.store.reads).toBe(1);
    expect(upstream.seen).toHaveLength(1);
  });

  it("KEY_REVOKED for a revoked key", async () => {
    const consumer = await gw.world.addConsumer();
    const { secret, key } = await gw.world.addKey(consumer.id);
    await gw.world.updateKey(key.id, {
      status: "revoked",
      revokedAt: gw.world.clock.now(),
      revokedReason: "leaked",
    });
    await expectProblem(
      await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } }),
      401,
      "KEY_REVOKED",
      "/v2/x",
    );
  });

  it("CONSUMER_DISABLED (403) for a disabled consumer's key", async () => {
    const consumer = await gw.world.addConsumer({ disabled: true });
    const { secret } = await gw.world.addKey(consumer.id);
    await expectProblem(
      await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } }),
      403,
      "CONSUMER_DISABLED",
      "/v2/x",
    );
  });

  it("SCOPE_DENIED (403) when a route rule needs a scope the key lacks; other methods are unaffected", async () => {
    const consumer = await gw.world.addConsumer();
    const reader = await gw.world.addKey(consumer.id, { scopes: ["read"] });
    const trader = await gw.world.addKey(consumer.id, { scopes: ["read", "trade"] });
    const denied = await fetch(`${gw.url}/v2/orders?symbol=ETH`, {
      method: "POST",
      headers: { "x-api-key": reader.secret, "content-type": "application/json" },
      body: "{}",
    });
    const body = await expectProblem(denied, 403, "SCOPE_DENIED", "/v2/orders");
    expect(body.detail).toBe("This route requires the scope: trade.");
    // Other spellings of the same path are held to the same rule (route-table.test.ts covers dot segments).
    for (const path of ["/v2/orders/", "/V2/Orders", "/v2//orders", "/v2/%6Frders"]) {
      const variant = await fetch(`${gw.url}${path}`, {
        method: "POST",
        headers: { "x-api-key": reader.secret },
      });
      expect(variant.status, path).toBe(403);
    }
    expect((await fetch(`${gw.url}/v2/orders`, { headers: { "x-api-key": reader.secret } })).status).toBe(
      200,
    );
    const allowed = await fetch(`${gw.url}/v2/orders`, {
      method: "POST",
      headers: { "x-api-key": trader.secret },
    });
    expect(allowed.status).toBe(200);
    const admin = await fetch(`${gw.url}/v2/admin/users/1`, { headers: { "x-api-key": trader.secret } });
    await expectProblem(admin, 403, "SCOPE_DENIED", "/v2/admin/users/1");
    expect(upstream.seen.map((seen) => `${seen.method} ${seen.url}`)).toEqual([
      "GET /v2/orders",
      "POST /v2/orders",
    ]);
  });

  it("STORE_UNAVAILABLE (503, Retry-After) when the store is down and the key is not cached", async () => {
    const consumer = await gw.world.addConsumer();
    const cached = await gw.world.addKey(consumer.id);
    const uncached = await gw.world.addKey(consumer.id);
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": cached.secret } })).status).toBe(200);
    gw.store.down = true;
    const refused = await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": uncached.secret } });
    await expectProblem(refused, 503, "STORE_UNAVAILABLE", "/v2/x");
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": cached.secret } })).status).toBe(200);
  });
});
