/**
 * Issue 14: keygate's forward auth behind a REAL nginx and a REAL Caddy
 * (Debian packages), each run from the shipped examples/forward-auth config
 * with only its ports changed, on loopback, in front of a keygate node (real
 * process, SQLite) and an echo upstream. Through each proxy: a valid key
 * reaches the upstream as an identity without the key; missing, unknown and
 * revoked keys are 401 problem+json; a missing scope 403; a rate limit 429
 * with Retry-After; a deprecated key brings Deprecation and Sunset to the
 * client; a key revoked on the admin API is refused through the proxy as
 * soon as the revocation has propagated. Zero downtime through nginx: 16
 * clients under load while 20 rotations run. Without nginx or Caddy the
 * suite says "skipped"; under CI=true it fails.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeySecret } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary, type RunningProxy, startCaddy, startNginx } from "./support/forward-proxies.ts";
import { freePort } from "./support/free-port.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { runRotationLoad } from "./support/rotation-load.ts";

interface Echo {
  readonly url: string;
  readonly port: number;
  readonly seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** The API behind the proxy: answers 200 with what it saw, so the test can read the forwarded headers. */
async function startEcho(): Promise<Echo> {
  const seen: Echo["seen"] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers };
      if (seen.length < 10_000) seen.push(request);
      const body = JSON.stringify(request);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type ProxyName = "nginx" | "caddy";

const missing = (["nginx", "caddy"] as const).filter((name) => binary(name) === undefined);
if (missing.length > 0 && process.env.CI === "true") {
  throw new Error(
    `${missing.join(" and ")} required when CI=true (apt-get install nginx caddy; .ci/run does)`,
  );
}

interface World {
  stack: KeygateStack;
  echo: Echo;
  configDir: string;
}

async function startWorld(): Promise<World> {
  const configDir = mkdtempSync(join(tmpdir(), "keygate-forward-auth-"));
  const configFile = join(configDir, "keygate.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      routes: [{ method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 1 }],
      plans: { tiny: { rateLimit: { limit: 2, windowSeconds: 60 } } },
    }),
  );
  const [stack, echo] = await Promise.all([startStack({ configFile }), startEcho()]);
  return { stack, echo, configDir };
}

async function stopWorld(world: World | undefined): Promise<void> {
  if (world === undefined) return;
  await Promise.all([world.stack.stop(), world.echo.close()]);
  rmSync(world.configDir, { recursive: true, force: true });
}

async function startProxy(name: ProxyName, world: World): Promise<RunningProxy> {
  const ports = {
    listen: await freePort(),
    authz: Number(new URL(world.stack.authzUrl).port),
    upstream: world.echo.port,
  };
  return name === "nginx" ? startNginx(ports) : startCaddy({ ...ports, caddyAdmin: await freePort() });
}

async function newKey(
  world: World,
  options: { scopes?: string[]; plan?: string; allowedIps?: string[] } = {},
): Promise<{ consumerId: string; keyId: string; secret: string }> {
  const consumer = await world.stack.admin<{ id: string }>("POST", "/v1/consumers", {
    name: "forward-auth",
    ...(options.plan === undefined ? {} : { plan: options.plan }),
  });
  expect(consumer.status).toBe(201);
  const created = await world.stack.admin<{ key: { id: string }; secret: string }>(
    "POST",
    `/v1/consumers/${consumer.body.id}/keys`,
    {
      name: "k",
      scopes: options.scopes ?? [],
      ...(options.allowedIps === undefined ? {} : { allowedIps: options.allowedIps }),
    },
  );
  expect(created.status).toBe(201);
  return { consumerId: consumer.body.id, keyId: created.body.key.id, secret: created.body.secret };
}

async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  expect(response.status, `${code}`).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(await response.json()).toMatchObject({ status, code });
}

function proxySuite(name: ProxyName): void {
  if (binary(name) === undefined) {
    describe.skip(`skipped: ${name} not installed (apt-get install ${name})`, () => {
      it("needs the proxy", () => undefined);
    });
    return;
  }
  describe(`forward auth through a real ${name} (shipped config, ports templated)`, () => {
    let world: World | undefined;
    let proxy: RunningProxy | undefined;
    const w = (): World => {
      if (world === undefined) throw new Error("not started");
      return world;
    };
    const url = (path: string) => `${proxy?.url}${path}`;

    beforeAll(async () => {
      world = await startWorld();
      proxy = await startProxy(name, world);
    }, 60_000);
    afterAll(async () => {
      await proxy?.stop();
      await stopWorld(world);
    });

    it("a valid key: the upstream sees x-keygate-consumer-id / key-id / scopes and no key; a client's own identity header is replaced", async () => {
      const { consumerId, keyId, secret } = await newKey(w(), { scopes: ["read", "trade"] });
      const carriers: Array<Record<string, string>> = [
        { "x-api-key": secret },
        { authorization: `Bearer ${secret}` },
      ];
      for (const carrier of carriers) {
        const res = await fetch(url("/v2/orders?symbol=ETH"), {
          method: "POST",
          headers: { ...carrier, "x-keygate-consumer-id": "con_forged", "x-keygate-scopes": "admin" },
          body: "{}",
        });
        expect(res.status).toBe(200);
        const seen = (await res.json()) as { method: string; url: string; headers: IncomingHttpHeaders };
        expect(seen.method).toBe("POST");
        expect(seen.url).toBe("/v2/orders?symbol=ETH");
        expect(seen.headers["x-keygate-consumer-id"]).toBe(consumerId);
        expect(seen.headers["x-keygate-key-id"]).toBe(keyId);
        expect(seen.headers["x-keygate-scopes"]).toBe("read,trade");
        expect(seen.headers["x-api-key"]).toBeUndefined();
        expect(seen.headers.authorization).toBeUndefined();
        expect(JSON.stringify(seen)).not.toContain(secret);
      }
      // Another Authorization scheme is the upstream's business and passes.
      const basic = await fetch(url("/v2/x"), {
        headers: { "x-api-key": secret, authorization: "Basic dXNlcjpwYXNz" },
      });
      expect(((await basic.json()) as { headers: IncomingHttpHeaders }).headers.authorization).toBe(
        "Basic dXNlcjpwYXNz",
      );
    });

    it("missing, unknown and revoked keys: 401 problem+json with WWW-Authenticate, never forwarded", async () => {
      const before = w().echo.seen.length;
      const noKey = await fetch(url("/v2/x"));
      expect(noKey.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
      await expectProblem(noKey, 401, "KEY_MISSING");
      // Well-formed, unknown to the store.
      const unknown = generateKeySecret({ bytes: (n) => randomBytes(n) }, "live");
      await expectProblem(
        await fetch(url("/v2/x"), { headers: { "x-api-key": unknown } }),
        401,
        "KEY_NOT_FOUND",
      );
      const { keyId, secret } = await newKey(w());
      const revoke = await w().stack.admin("POST", `/v1/keys/${keyId}/revoke?wait=true`, {});
      expect(revoke.status).toBe(200);
      await expectProblem(
        await fetch(url("/v2/x"), { headers: { "x-api-key": secret } }),
        401,
        "KEY_REVOKED",
      );
      expect(w().echo.seen.length).toBe(before);
    });

    it("an IP allowlist sees the client's address as the proxy saw it; a client's own X-Forwarded-For is no proof", async () => {
      const here = await newKey(w(), { allowedIps: ["127.0.0.1/32"] });
      expect((await fetch(url("/v2/x"), { headers: { "x-api-key": here.secret } })).status).toBe(200);
      const elsewhere = await newKey(w(), { allowedIps: ["198.51.100.7/32"] });
      const spoofed = await fetch(url("/v2/x"), {
        headers: {
          "x-api-key": elsewhere.secret,
          "x-forwarded-for": "198.51.100.7",
          "x-real-ip": "198.51.100.7",
        },
      });
      await expectProblem(spoofed, 403, "IP_NOT_ALLOWED");
    });

    it("a key without the route's scope: 403 SCOPE_DENIED problem+json", async () => {
      const { secret } = await newKey(w(), { scopes: ["read"] });
      const res = await fetch(url("/v2/orders"), { method: "POST", headers: { "x-api-key": secret } });
      await expectProblem(res, 403, "SCOPE_DENIED");
      expect((await fetch(url("/v2/orders"), { headers: { "x-api-key": secret } })).status).toBe(200);
    });

    it("over the plan's rate limit: 429 RATE_LIMITED problem+json with Retry-After and RateLimit", async () => {
      const { secret } = await newKey(w(), { plan: "tiny" });
      const first = await fetch(url("/v2/x"), { headers: { "x-api-key": secret } });
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit")).toMatch(/r=1/);
      expect(first.headers.get("ratelimit-policy")).not.toBeNull();
      expect((await fetch(url("/v2/x"), { headers: { "x-api-key": secret } })).status).toBe(200);
      const limited = await fetch(url("/v2/x"), { headers: { "x-api-key": secret } });
      const retryAfter = Number(limited.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.headers.get("ratelimit")).toMatch(/r=0/);
      await expectProblem(limited, 429, "RATE_LIMITED");
    });

    it("a deprecated key: Deprecation, Sunset and Link on the client's response", async () => {
      const { keyId, secret } = await newKey(w());
      const fresh = await fetch(url("/v2/x"), { headers: { "x-api-key": secret } });
      expect(fresh.headers.get("deprecation")).toBeNull();
      const rotated = await w().stack.admin<{ rotation: { sunsetAt: string } }>(
        "POST",
        `/v1/keys/${keyId}/rotate?wait=true`,
        { overlapSeconds: 3600 },
      );
      expect(rotated.status).toBe(201);
      const res = await fetch(url("/v2/x"), { headers: { "x-api-key": secret } });
      expect(res.status).toBe(200);
      expect(res.headers.get("deprecation")).toMatch(/^@\d+$/);
      expect(res.headers.get("sunset")).toBe(new Date(rotated.body.rotation.sunsetAt).toUTCString());
      expect(res.headers.get("link")).toContain('rel="deprecation"');
    });

    it("a key revoked on the admin API is refused through the proxy once the revocation has propagated", async () => {
      const { keyId, secret } = await newKey(w());
      // Cached in keygate's verifier: the next answer must come from the revocation, not the TTL.
      expect((await fetch(url("/v2/x"), { headers: { "x-api-key": secret } })).status).toBe(200);
      expect((await fetch(url("/v2/x"), { headers: { "x-api-key": secret } })).status).toBe(200);
      const revokedAt = Date.now();
      const revoke = await w().stack.admin<{ propagation: { nodes: number; acknowledged: number } }>(
        "POST",
        `/v1/keys/${keyId}/revoke?wait=true`,
        {},
      );
      expect(revoke.status).toBe(200);
      expect(revoke.body.propagation.acknowledged).toBe(revoke.body.propagation.nodes);
      // The propagation bound: ?wait=true returns once every node dropped the key, at most 5 s.
      expect(Date.now() - revokedAt).toBeLessThan(5_000);
      await expectProblem(
        await fetch(url("/v2/x"), { headers: { "x-api-key": secret } }),
        401,
        "KEY_REVOKED",
      );
    });

    it("fails closed when keygate does not answer (runs last: it stops the node)", async () => {
      const { secret } = await newKey(w());
      await w().stack.stopNode();
      const res = await fetch(url("/v2/x"), { headers: { "x-api-key": secret } });
      // nginx rebuilds it as 503 problem+json; Caddy answers 502 itself. Never the upstream's 200.
      expect(res.status).toBe(name === "nginx" ? 503 : 502);
      if (name === "nginx") await expectProblem(res, 503, "STORE_UNAVAILABLE");
    });
  });
}

proxySuite("nginx");
proxySuite("caddy");

if (binary("nginx") !== undefined) {
  describe("zero downtime through nginx + forward auth", () => {
    let world: World | undefined;
    let proxy: RunningProxy | undefined;

    beforeAll(async () => {
      world = await startWorld();
      proxy = await startProxy("nginx", world);
    }, 60_000);
    afterAll(async () => {
      await proxy?.stop();
      await stopWorld(world);
    });

    it("16 clients under load while 20 rotations run, old keys retired at their sunsets: 0 failed requests", async () => {
      if (world === undefined || proxy === undefined) throw new Error("not started");
      const { summary, wrongly, missingDeprecationHeaders, probes } = await runRotationLoad(world.stack, {
        url: proxy.url,
        rotations: 20,
        rollbackEvery: 0,
        path: "/v2/quotes?symbol=ETH",
      });
      console.log("zero-downtime rotation through nginx:", JSON.stringify(summary));
      expect(wrongly.slice(0, 5).map((s) => ({ status: s.status, code: s.code, error: s.error }))).toEqual(
        [],
      );
      expect(wrongly.length).toBe(0);
      expect(missingDeprecationHeaders.length).toBe(0);
      expect(summary.validOk).toBeGreaterThan(1000);
      expect(summary.deprecatedChecked).toBeGreaterThan(100);
      expect(probes).toHaveLength(20);
      expect(probes.every((p) => p.status === 401 && p.code === "KEY_EXPIRED")).toBe(true);
    }, 240_000);
  });
}
