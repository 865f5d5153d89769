/**
 * Forward auth (`KEYGATE_AUTHZ_PORT`): the gateway's evaluation answering a
 * proxy's question. Allowed → 200, empty body, identity, limit and
 * deprecation headers; refused → the gateway's problem+json. The forwarded
 * method, URI and client address are believed from trusted peers only
 * (loopback by default); a request counts once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type AuthzServer, createAuthzServer } from "../../src/gateway/authz-server.ts";
import type { GatewayLimiter } from "../../src/gateway/gateway-limiter.ts";
import type { GatewayServerOptions } from "../../src/gateway/gateway-server.ts";
import { compileRouteTable } from "../../src/gateway/route-table.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import type { VerifyCode } from "../../src/verify/verify-outcome.ts";
import { KeyWorld } from "../verify/key-world.ts";
import { CapturingLogger, ORDER_ROUTES, startGateway, startUpstream } from "./gateway-harness.ts";

interface Harness {
  readonly world: KeyWorld;
  readonly authz: AuthzServer;
  readonly url: string;
  readonly usage: Array<{ keyId: string | undefined; code: VerifyCode }>;
}

let running: AuthzServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startAuthz(
  overrides: { trustedProxies?: readonly string[]; limiter?: GatewayLimiter } = {},
  world = new KeyWorld(),
): Promise<Harness> {
  const usage: Harness["usage"] = [];
  const authz = createAuthzServer({
    verifier: new Verifier({ store: world.store, clock: world.clock, hasher: nodeHasher }),
    routes: compileRouteTable(ORDER_ROUTES),
    clock: world.clock,
    logger: new CapturingLogger(),
    usage: { record: (keyId, _now, code) => usage.push({ keyId, code }) },
    closeGraceMs: 200,
    ...overrides,
  });
  running = authz;
  const { port } = await authz.listen(0, "127.0.0.1");
  return { world, authz, url: `http://127.0.0.1:${port}`, usage };
}

/** The question nginx asks (auth_request with X-Original-*), or Traefik/Caddy (X-Forwarded-*). */
function ask(h: Harness, headers: Record<string, string>, path = "/authz"): Promise<Response> {
  return fetch(`${h.url}${path}`, { headers });
}

describe("forward auth: allow", () => {
  it("answers 200 with an empty body, the identity headers and no-store", async () => {
    const h = await startAuthz();
    const consumer = await h.world.addConsumer();
    const { secret, key } = await h.world.addKey(consumer.id, { scopes: ["read", "trade"] });
    const res = await ask(h, {
      "x-api-key": secret,
      "x-forwarded-method": "POST",
      "x-forwarded-uri": "/v2/orders?symbol=ETH",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(res.headers.get("x-keygate-consumer-id")).toBe(consumer.id);
    expect(res.headers.get("x-keygate-key-id")).toBe(key.id);
    expect(res.headers.get("x-keygate-scopes")).toBe("read,trade");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("deprecation")).toBeNull();
    expect(h.usage).toEqual([{ keyId: key.id, code: "VALID" }]);
    expect(h.authz.metricsText()).toContain('keygate_authz_requests_total{outcome="VALID"} 1');
  });

  it("carries RateLimit headers and, for a deprecated key, Deprecation, Sunset and Link", async () => {
    const limiter: GatewayLimiter = {
      check: () => ({
        allowed: true,
        headers: { "ratelimit-policy": '"default";q=10;w=60', ratelimit: '"default";r=9;t=60' },
      }),
    };
    const h = await startAuthz({ limiter });
    const { secret, key } = await h.world.addKey((await h.world.addConsumer()).id);
    const deprecatedAt = Date.UTC(2025, 0, 1, 0, 0, 0, 500);
    const sunsetAt = Date.UTC(2025, 0, 2, 12, 30, 0);
    await h.world.updateKey(key.id, { status: "deprecated", deprecatedAt, sunsetAt });
    const res = await ask(h, { authorization: `Bearer ${secret}`, "x-original-uri": "/v2/x" });
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit")).toBe('"default";r=9;t=60');
    expect(res.headers.get("ratelimit-policy")).toBe('"default";q=10;w=60');
    expect(res.headers.get("deprecation")).toBe("@1735689600");
    expect(res.headers.get("sunset")).toBe("Thu, 02 Jan 2025 12:30:00 GMT");
    expect(res.headers.get("link")).toBe('<https://keygate.dev/docs/rotation>; rel="deprecation"');
  });
});

describe("forward auth: deny is the gateway's answer", () => {
  it("401 problem+json with WWW-Authenticate for a missing or unknown key", async () => {
    const h = await startAuthz();
    const res = await ask(h, { "x-forwarded-uri": "/v2/x" });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(await res.json()).toMatchObject({ code: "KEY_MISSING", status: 401, instance: "/v2/x" });
  });

  it("403 SCOPE_DENIED on the forwarded method and canonical path (X-Forwarded-* and X-Original-*)", async () => {
    const h = await startAuthz();
    const { secret } = await h.world.addKey((await h.world.addConsumer()).id, { scopes: ["read"] });
    const forwarded = await ask(h, {
      "x-api-key": secret,
      "x-forwarded-method": "POST",
      "x-forwarded-uri": "/v2//x/../orders?q=1",
    });
    expect(forwarded.status).toBe(403);
    expect(await forwarded.json()).toMatchObject({
      code: "SCOPE_DENIED",
      detail: "This route requires the scope: trade.",
      instance: "/v2/orders",
    });
    const original = await ask(h, {
      "x-api-key": secret,
      "x-original-method": "POST",
      "x-original-uri": "/v2/%6Frders",
    });
    expect(original.status).toBe(403);
    // The same key may GET it: the method is the forwarded one, not the question's own GET.
    expect((await ask(h, { "x-api-key": secret, "x-forwarded-uri": "/v2/orders" })).status).toBe(200);
  });

  it("400 for a forwarded path with no canonical form, exactly as the gateway refuses it", async () => {
    const h = await startAuthz();
    const { secret } = await h.world.addKey((await h.world.addConsumer()).id, { scopes: ["trade"] });
    const res = await ask(h, { "x-api-key": secret, "x-forwarded-uri": "/v2/orders;jsessionid=1" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("429 with Retry-After and the limiter's headers; the problem in a header only when asked (nginx)", async () => {
    const limiter: GatewayLimiter = {
      check: () => ({
        allowed: false,
        code: "RATE_LIMITED",
        retryAfterSeconds: 7,
        headers: { ratelimit: '"default";r=0;t=7' },
      }),
    };
    const h = await startAuthz({ limiter });
    const { secret, key } = await h.world.addKey((await h.world.addConsumer()).id);
    const plain = await ask(h, { "x-api-key": secret, "x-forwarded-uri": "/v2/x" });
    expect(plain.status).toBe(429);
    expect(plain.headers.get("retry-after")).toBe("7");
    expect(plain.headers.get("ratelimit")).toBe('"default";r=0;t=7');
    expect(plain.headers.get("x-keygate-problem")).toBeNull();
    const body = await plain.json();
    expect(body).toMatchObject({ code: "RATE_LIMITED", status: 429 });

    const asked = await ask(h, {
      "x-api-key": secret,
      "x-forwarded-uri": "/v2/x",
      "x-keygate-problem-header": "1",
    });
    expect(asked.status).toBe(429);
    const inHeader = asked.headers.get("x-keygate-problem");
    expect(inHeader).not.toBeNull();
    expect(JSON.parse(inHeader ?? "")).toEqual(await asked.json());
    // Each question counted once.
    expect(h.usage).toEqual([
      { keyId: key.id, code: "RATE_LIMITED" },
      { keyId: key.id, code: "RATE_LIMITED" },
    ]);
  });
});

describe("forward auth: who may say what the request was", () => {
  it("from an untrusted peer, evaluates the question's own method and path and ignores forwarded claims", async () => {
    // Loopback is not trusted here: the test client is an arbitrary caller.
    const h = await startAuthz({ trustedProxies: ["10.0.0.0/8"] });
    const consumer = await h.world.addConsumer();
    const { secret } = await h.world.addKey(consumer.id, { scopes: ["read"] });
    // Claims a harmless GET; its own request is a GET to /v2/orders?x — no scope needed for GET.
    const own = await ask(h, { "x-api-key": secret, "x-forwarded-uri": "/v2/orders" }, "/v2/admin/users");
    expect(own.status).toBe(403);
    expect(await own.json()).toMatchObject({ code: "SCOPE_DENIED", instance: "/v2/admin/users" });
    // Its X-Forwarded-For does not satisfy an allowlist either.
    const listed = await h.world.addKey(consumer.id, { allowedIps: ["198.51.100.7/32"] });
    const spoofed = await ask(h, { "x-api-key": listed.secret, "x-forwarded-for": "198.51.100.7" });
    expect(spoofed.status).toBe(403);
    expect(await spoofed.json()).toMatchObject({ code: "IP_NOT_ALLOWED" });
  });

  it("from a trusted proxy (loopback by default), checks the forwarded client address against the allowlist", async () => {
    const h = await startAuthz();
    const consumer = await h.world.addConsumer();
    const { secret } = await h.world.addKey(consumer.id, {
      allowedIps: ["198.51.100.0/24", "2001:db8::/32"],
    });
    const from = (client: string) =>
      ask(h, { "x-api-key": secret, "x-forwarded-uri": "/v2/x", "x-forwarded-for": client });
    expect((await from("198.51.100.7")).status).toBe(200);
    expect((await from("2001:db8::9")).status).toBe(200);
    expect((await from("203.0.113.1")).status).toBe(403);
    expect(
      (await ask(h, { "x-api-key": secret, "x-forwarded-uri": "/v2/x", "x-real-ip": "198.51.100.8" })).status,
    ).toBe(200);
  });

  it("answers its own /healthz and /readyz, but evaluates a question about an upstream /healthz", async () => {
    const h = await startAuthz();
    expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect((await ask(h, { "x-forwarded-uri": "/healthz" })).status).toBe(401);
  });
});

describe("forward auth and the gateway share one evaluation", () => {
  it("decides a request exactly as the gateway does, over the same key cache", async () => {
    const upstream = await startUpstream();
    const world = new KeyWorld();
    const gw = await startGateway(upstream.url, {} satisfies Partial<GatewayServerOptions>, world);
    try {
      const authz = createAuthzServer({
        verifier: gw.verifier,
        routes: compileRouteTable(ORDER_ROUTES),
        clock: world.clock,
        logger: gw.logger,
        closeGraceMs: 200,
      });
      running = authz;
      const { port } = await authz.listen(0, "127.0.0.1");
      const consumer = await world.addConsumer();
      const reader = await world.addKey(consumer.id, { scopes: ["read"] });
      const revoked = await world.addKey(consumer.id);
      await world.updateKey(revoked.key.id, { status: "revoked", revokedAt: world.clock.now() });
      const cases: Array<[string, string, string | undefined]> = [
        ["GET", "/v2/x", reader.secret],
        ["POST", "/v2/orders", reader.secret],
        ["GET", "/v2/admin/x", reader.secret],
        ["GET", "/v2/x", revoked.secret],
        ["GET", "/v2/x", "kg_live_nope"],
        ["GET", "/v2/x", undefined],
      ];
      for (const [method, path, secret] of cases) {
        const headers: Record<string, string> = secret === undefined ? {} : { "x-api-key": secret };
        const viaGateway = await fetch(`${gw.url}${path}`, { method, headers });
        const viaAuthz = await fetch(`http://127.0.0.1:${port}/authz`, {
          headers: { ...headers, "x-forwarded-method": method, "x-forwarded-uri": path },
        });
        expect(viaAuthz.status, `${method} ${path}`).toBe(viaGateway.status);
        if (viaGateway.status !== 200) expect(await viaAuthz.json()).toEqual(await viaGateway.json());
      }
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
