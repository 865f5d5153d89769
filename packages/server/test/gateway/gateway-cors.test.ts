/**
 * Browser consumers call the gateway from another origin, without
 * `gateway.cors`: preflights are answered by the gateway (allowing nothing)
 * and never reach the upstream, the headers keygate adds are exposed to the
 * page where the upstream allows it, and keygate's own answers (refusals,
 * self-rotation) are readable by it. `security-cors.test.ts` covers `gateway.cors`.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GatewayLimiter, LimitDecision } from "../../src/gateway/gateway-limiter.ts";
import type { SelfRotateHandler } from "../../src/gateway/gateway-server.ts";
import { type GatewayHarness, type SeenRequest, startGateway } from "./gateway-harness.ts";

const PAGE_ORIGIN = "http://127.0.0.1:5173";

interface CorsUpstream {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** A real upstream with a CORS policy for PAGE_ORIGIN on `/cors/*`, and none elsewhere. */
async function startCorsUpstream(): Promise<CorsUpstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "" });
      const cors = (req.url ?? "").startsWith("/cors/");
      if (req.method === "OPTIONS") {
        res.writeHead(
          204,
          cors
            ? {
                "access-control-allow-origin": PAGE_ORIGIN,
                "access-control-allow-methods": "GET, POST",
                "access-control-allow-headers": "x-api-key, content-type",
                "access-control-max-age": "60",
                vary: "origin",
              }
            : {},
        );
        res.end();
        return;
      }
      res.writeHead(200, {
        "content-type": "application/json",
        ...(cors
          ? { "access-control-allow-origin": PAGE_ORIGIN, "access-control-expose-headers": "X-Upstream-Id" }
          : {}),
      });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** node:http, because fetch() may not let a test set `Origin` and preflight headers verbatim. */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function exposed(headers: IncomingHttpHeaders): string[] {
  const value = headers["access-control-expose-headers"];
  return (value ?? "").split(",").map((name) => name.trim().toLowerCase());
}

const preflight = (requestMethod: string) => ({
  origin: PAGE_ORIGIN,
  "access-control-request-method": requestMethod,
  "access-control-request-headers": "x-api-key",
});

describe("gateway: CORS for browser consumers", () => {
  let upstream: CorsUpstream;
  let gw: GatewayHarness;
  const selfRotations: string[] = [];
  const selfRotate: SelfRotateHandler = async ({ apiKey }) => {
    selfRotations.push(apiKey ?? "");
    return { status: 201, headers: { "content-type": "application/json" }, body: '{"secret":"x"}' };
  };
  const limiter: GatewayLimiter = {
    check: (_outcome, cost): LimitDecision =>
      cost > 1
        ? {
            allowed: false,
            code: "RATE_LIMITED",
            retryAfterSeconds: 7,
            headers: { ratelimit: '"d";r=0;t=7' },
          }
        : { allowed: true, headers: { ratelimit: '"d";r=9;t=60', "ratelimit-policy": '"d";q=10;w=60' } },
  };

  beforeAll(async () => {
    upstream = await startCorsUpstream();
    gw = await startGateway(upstream.url, { selfRotate, limiter });
  });
  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });
  afterEach(() => {
    upstream.seen.length = 0;
    selfRotations.length = 0;
  });

  it("answers a preflight itself, allowing nothing, and never forwards it without a key", async () => {
    const response = await raw(`${gw.url}/cors/daily-ohlcv?symbol=ETH`, "OPTIONS", preflight("GET"));
    expect(response.status).toBe(204);
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    expect(response.headers["access-control-allow-headers"]).toBeUndefined();
    expect(upstream.seen).toHaveLength(0);
  });

  it("passes an upstream that has no CORS policy through unchanged: no origin is allowed by keygate", async () => {
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const actual = await raw(`${gw.url}/plain/x`, "GET", { origin: PAGE_ORIGIN, "x-api-key": secret });
    expect(actual.status).toBe(200);
    expect(actual.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("still requires a key for an OPTIONS request that is not a preflight", async () => {
    const response = await raw(`${gw.url}/cors/x`, "OPTIONS", { origin: PAGE_ORIGIN });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ code: "KEY_MISSING" });
    expect(upstream.seen).toHaveLength(0);
  });

  it("exposes Deprecation, Sunset, Link and RateLimit on upstream responses that allow the origin", async () => {
    const consumer = await gw.world.addConsumer({ plan: "pro" });
    const { secret, key } = await gw.world.addKey(consumer.id);
    await gw.world.updateKey(key.id, {
      status: "deprecated",
      deprecatedAt: gw.world.clock.now(),
      sunsetAt: gw.world.clock.now() + 60_000,
    });
    const response = await raw(`${gw.url}/cors/grades`, "GET", { origin: PAGE_ORIGIN, "x-api-key": secret });
    expect(response.status).toBe(200);
    expect(response.headers["access-control-allow-origin"]).toBe(PAGE_ORIGIN);
    expect(response.headers.deprecation).toMatch(/^@\d+$/);
    expect(response.headers.ratelimit).toBe('"d";r=9;t=60');
    expect(exposed(response.headers)).toEqual([
      "x-upstream-id",
      "deprecation",
      "sunset",
      "link",
      "ratelimit",
      "ratelimit-policy",
    ]);
  });

  it("makes its own refusals readable cross-origin, with the headers a client acts on", async () => {
    const missing = await raw(`${gw.url}/cors/grades`, "GET", { origin: PAGE_ORIGIN });
    expect(missing.status).toBe(401);
    expect(missing.headers["access-control-allow-origin"]).toBe("*");
    expect(exposed(missing.headers)).toContain("www-authenticate");

    const consumer = await gw.world.addConsumer();
    const { secret } = await gw.world.addKey(consumer.id, { scopes: ["trade"] });
    const limited = await raw(`${gw.url}/v2/orders`, "POST", { origin: PAGE_ORIGIN, "x-api-key": secret });
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("7");
    expect(limited.headers["access-control-allow-origin"]).toBe("*");
    expect(exposed(limited.headers)).toEqual(expect.arrayContaining(["retry-after", "ratelimit"]));

    // Not a browser: no CORS headers at all.
    const plain = await raw(`${gw.url}/cors/grades`, "GET", {});
    expect(plain.status).toBe(401);
    expect(plain.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("answers the preflight of POST /v1/self/rotate itself, and the rotation cross-origin", async () => {
    const pre = await raw(`${gw.url}/v1/self/rotate`, "OPTIONS", preflight("POST"));
    expect(pre.status).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe("*");
    expect(pre.headers["access-control-allow-methods"]).toBe("POST");
    expect(pre.headers["access-control-allow-headers"]).toContain("x-api-key");
    expect(upstream.seen).toHaveLength(0);

    const rotated = await raw(`${gw.url}/v1/self/rotate`, "POST", { origin: PAGE_ORIGIN, "x-api-key": "k" });
    expect(rotated.status).toBe(201);
    expect(rotated.headers["access-control-allow-origin"]).toBe("*");
    expect(selfRotations).toEqual(["k"]);
  });
});
