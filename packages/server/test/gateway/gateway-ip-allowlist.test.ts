/**
 * Per-key IP allowlists on the gateway: the client address (the socket peer,
 * or what a trusted proxy says) is checked against the key's `allowedIps`
 * on every request, IPv4 and IPv6, and a client cannot talk its way in with
 * its own `X-Forwarded-For`.
 */
import { request } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GatewayHarness, startGateway, startUpstream, type Upstream } from "./gateway-harness.ts";

/** A GET through the gateway to `host` (127.0.0.1 or ::1), as a real client socket. */
function get(
  host: string,
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: "/v2/quotes", method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("gateway: per-key IP allowlists", () => {
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

  /** A gateway on `::` (IPv4 and IPv6 loopback); returns its port. */
  async function dualStack(overrides: Parameters<typeof startGateway>[1] = {}): Promise<number> {
    gw = await startGateway(upstream.url, overrides, undefined, "::");
    return Number(new URL(gw.url).port);
  }

  it("lets IPv4 and IPv6 clients on the list in and refuses the others with a clear 403 IP_NOT_ALLOWED", async () => {
    const port = await dualStack();
    const world = gw?.world;
    if (world === undefined) throw new Error("no gateway");
    const consumer = await world.addConsumer();
    const v4 = await world.addKey(consumer.id, { allowedIps: ["127.0.0.1/32"] });
    const v6 = await world.addKey(consumer.id, { allowedIps: ["::1/128"] });
    const elsewhere = await world.addKey(consumer.id, { allowedIps: ["203.0.113.0/24", "2001:db8::/32"] });

    // 127.0.0.1 reaches a dual-stack socket as ::ffff:127.0.0.1, which the matcher reads as IPv4.
    expect((await get("127.0.0.1", port, { "x-api-key": v4.secret })).status).toBe(200);
    expect((await get("::1", port, { "x-api-key": v6.secret })).status).toBe(200);

    const v4FromV6 = await get("::1", port, { "x-api-key": v4.secret });
    expect(v4FromV6.status).toBe(403);
    expect(v4FromV6.body).toMatchObject({
      code: "IP_NOT_ALLOWED",
      detail:
        "This API key may only be used from the IP addresses on its allowlist, and this request came from another address.",
    });
    expect((await get("127.0.0.1", port, { "x-api-key": v6.secret })).body.code).toBe("IP_NOT_ALLOWED");
    expect((await get("127.0.0.1", port, { "x-api-key": elsewhere.secret })).status).toBe(403);
    expect((await get("::1", port, { "x-api-key": elsewhere.secret })).status).toBe(403);
    // Refused requests never reach the upstream.
    expect(upstream.seen.filter((seen) => seen.url === "/v2/quotes")).toHaveLength(2);
  });

  it("behind a trusted proxy, checks the address the proxy forwards (X-Forwarded-For), IPv4 and IPv6", async () => {
    const port = await dualStack({ trustedProxies: ["127.0.0.1/32", "::1/128"] });
    const world = gw?.world;
    if (world === undefined) throw new Error("no gateway");
    const consumer = await world.addConsumer();
    const key = await world.addKey(consumer.id, { allowedIps: ["198.51.100.0/24", "2001:db8:1::/48"] });

    const viaProxy = (host: string, client: string) =>
      get(host, port, { "x-api-key": key.secret, "x-forwarded-for": client });
    expect((await viaProxy("127.0.0.1", "198.51.100.7")).status).toBe(200);
    expect((await viaProxy("::1", "2001:db8:1::42")).status).toBe(200);
    expect((await viaProxy("127.0.0.1", "198.51.101.7")).body.code).toBe("IP_NOT_ALLOWED");
    expect((await viaProxy("::1", "2001:db8:2::42")).body.code).toBe("IP_NOT_ALLOWED");
    // The proxy itself is not the client: without a forwarded address the peer (not listed) is refused.
    expect((await get("127.0.0.1", port, { "x-api-key": key.secret })).status).toBe(403);
  });

  it("refuses a client that is not a trusted proxy but claims a listed address in X-Forwarded-For", async () => {
    // Only ::1 is a trusted proxy; a client on 127.0.0.1 writes its own X-Forwarded-For.
    const port = await dualStack({ trustedProxies: ["::1/128"] });
    const world = gw?.world;
    if (world === undefined) throw new Error("no gateway");
    const consumer = await world.addConsumer();
    const key = await world.addKey(consumer.id, { allowedIps: ["198.51.100.7/32"] });
    const spoofed = await get("127.0.0.1", port, {
      "x-api-key": key.secret,
      "x-forwarded-for": "198.51.100.7",
      "x-real-ip": "198.51.100.7",
    });
    expect(spoofed.status).toBe(403);
    expect(spoofed.body.code).toBe("IP_NOT_ALLOWED");
    // The same claim from the trusted proxy is believed.
    expect(
      (await get("::1", port, { "x-api-key": key.secret, "x-forwarded-for": "198.51.100.7" })).status,
    ).toBe(200);
  });

  it("hands POST /v1/self/rotate the client's address (normalised; through a trusted proxy, the forwarded one)", async () => {
    const seen: Array<string | undefined> = [];
    const selfRotate = async (request: { clientIp?: string | undefined }) => {
      seen.push(request.clientIp);
      return { status: 201, headers: { "content-type": "application/json" }, body: "{}" };
    };
    const port = await dualStack({ selfRotate, trustedProxies: ["::1/128"] });
    const post = (host: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host, port, path: "/v1/self/rotate", method: "POST", headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    // 127.0.0.1 on a dual-stack socket is ::ffff:127.0.0.1: the handler gets the plain IPv4 form.
    expect(await post("127.0.0.1", { "x-forwarded-for": "198.51.100.7" })).toBe(201);
    expect(await post("::1", { "x-forwarded-for": "198.51.100.7" })).toBe(201);
    expect(seen).toEqual(["127.0.0.1", "198.51.100.7"]);
  });
});
