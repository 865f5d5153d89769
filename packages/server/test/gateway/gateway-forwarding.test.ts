import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type GatewayHarness,
  type SeenRequest,
  startGateway,
  startUpstream,
  type Upstream,
  until,
} from "./gateway-harness.ts";

/** A raw node:http request, for headers fetch() will not send (Connection, chunked bodies, odd paths). */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Readable | string },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (options.body instanceof Readable) options.body.pipe(req);
    else req.end(options.body);
  });
}

describe("gateway: forwarding", () => {
  let upstream: Upstream;
  let gw: GatewayHarness;
  let secret: string;
  let keyId: string;
  let consumerId: string;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  beforeEach(async () => {
    upstream.seen.length = 0;
    gw = await startGateway(upstream.url);
    const consumer = await gw.world.addConsumer({ plan: "pro" });
    const issued = await gw.world.addKey(consumer.id, { scopes: ["read", "trade"] });
    secret = issued.secret;
    keyId = issued.key.id;
    consumerId = consumer.id;
  });
  afterEach(async () => {
    await gw.close();
  });

  function lastSeen(): SeenRequest {
    const seen = upstream.seen.at(-1);
    if (seen === undefined) throw new Error("the upstream saw no request");
    return seen;
  }

  it("strips the key, adds identity and x-forwarded-*, keeps path, query and other headers", async () => {
    const response = await fetch(`${gw.url}/v2/daily-ohlcv?symbol=ETH&startDate=2025-01-01`, {
      headers: {
        "x-api-key": secret,
        "x-keygate-consumer-id": "con_spoofed",
        "x-forwarded-for": "203.0.113.7",
        accept: "application/json",
        "x-custom": "kept",
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-upstream")).toBe("echo");
    const seen = lastSeen();
    expect(seen.url).toBe("/v2/daily-ohlcv?symbol=ETH&startDate=2025-01-01");
    expect(seen.headers["x-api-key"]).toBeUndefined();
    expect(seen.headers["x-keygate-consumer-id"]).toBe(consumerId);
    expect(seen.headers["x-keygate-key-id"]).toBe(keyId);
    // The peer is no trusted proxy: its X-Forwarded-For claim is replaced (security-client-address.test.ts).
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe(new URL(gw.url).host);
    expect(seen.headers["x-custom"]).toBe("kept");
    expect(JSON.stringify(seen)).not.toContain(secret);
  });

  it("strips a Bearer key but keeps an unrelated Authorization when the key came in x-api-key", async () => {
    await fetch(`${gw.url}/v2/a`, { headers: { authorization: `Bearer ${secret}` } });
    expect(lastSeen().headers.authorization).toBeUndefined();
    await fetch(`${gw.url}/v2/b`, { headers: { "x-api-key": secret, authorization: "Basic dXNlcjpwYXNz" } });
    expect(lastSeen().headers.authorization).toBe("Basic dXNlcjpwYXNz");
    expect(lastSeen().headers["x-api-key"]).toBeUndefined();
  });

  it("drops hop-by-hop headers, including those named in Connection", async () => {
    const response = await rawRequest(gw.url, {
      path: "/v2/hop",
      headers: {
        "x-api-key": secret,
        connection: "keep-alive, x-hop",
        "x-hop": "1",
        "keep-alive": "timeout=5",
        te: "trailers",
      },
    });
    expect(response.status).toBe(200);
    const seen = lastSeen();
    expect(seen.headers["x-hop"]).toBeUndefined();
    expect(seen.headers.te).toBeUndefined();
    expect(seen.headers["keep-alive"]).toBeUndefined();
    // Nor does the upstream's: the field its Connection header names stays behind.
    expect(response.headers["x-upstream-hop"]).toBeUndefined();
    expect(response.headers["x-upstream"]).toBe("echo");
  });

  it("streams a JSON POST body to the upstream and the response back", async () => {
    const payload = { symbol: "ETH", side: "buy", quantity: 1.5, note: "ü".repeat(1000) };
    const response = await fetch(`${gw.url}/v2/orders`, {
      method: "POST",
      headers: { "x-api-key": secret, "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(200);
    const echoed = (await response.json()) as SeenRequest;
    expect(echoed.method).toBe("POST");
    expect(JSON.parse(echoed.body)).toEqual(payload);
    expect(echoed.headers["content-type"]).toBe("application/json");
    expect(echoed.headers["content-length"]).toBe(String(Buffer.byteLength(JSON.stringify(payload))));
  });

  it("streams a chunked request body of 1 MiB byte for byte", async () => {
    const parts = Array.from({ length: 64 }, (_, i) => `${String(i).padStart(4, "0")}${"x".repeat(16_380)}`);
    const response = await rawRequest(gw.url, {
      method: "PUT",
      path: "/v2/blob",
      headers: { "x-api-key": secret, "transfer-encoding": "chunked" },
      body: Readable.from(parts),
    });
    expect(response.status).toBe(200);
    expect(lastSeen().body).toBe(parts.join(""));
    expect(lastSeen().headers["transfer-encoding"]).toBe("chunked");
  });

  it("streams the upstream's response as it comes, with its status and headers", async () => {
    const response = await fetch(`${gw.url}/stream`, { headers: { "x-api-key": secret } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-upstream")).toBe("stream");
    expect(await response.text()).toBe("chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\ndone\n");
    const teapot = await fetch(`${gw.url}/status/418`, { headers: { "x-api-key": secret } });
    expect(teapot.status).toBe(418);
  });

  it("holds the upstream back while the client does not read, and delivers every byte when it does", async () => {
    const mib = 64;
    const url = new URL(gw.url);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(
        { host: url.hostname, port: url.port, path: `/bulk?mib=${mib}`, headers: { "x-api-key": secret } },
        resolve,
      )
        .on("error", reject)
        .end();
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    // While the client reads nothing, the upstream's writes stop once the socket buffers on the way
    // are full (a few MiB each on loopback), far short of the whole body: the gateway does not buffer it.
    let written = -1;
    while (written !== upstream.bulkWritten()) {
      written = upstream.bulkWritten();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(written).toBeLessThan((mib / 2) * 1024 * 1024);
    let received = 0;
    let intact = true;
    response.on("data", (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i += 4099) {
        if (chunk[i] !== ((received + i) % (64 * 1024)) % 251) intact = false;
      }
      received += chunk.length;
    });
    response.resume();
    await new Promise((resolve) => response.on("end", resolve));
    expect(received).toBe(mib * 1024 * 1024);
    expect(intact).toBe(true);
  });

  it("refuses bodies over the limit with 413, by content-length and while streaming", async () => {
    await gw.close();
    gw = await startGateway(upstream.url, { bodyLimitBytes: 1024 }, gw.world);
    const declared = await fetch(`${gw.url}/v2/upload`, {
      method: "POST",
      headers: { "x-api-key": secret },
      body: "x".repeat(1025),
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
    const chunked = await rawRequest(gw.url, {
      method: "POST",
      path: "/v2/upload",
      headers: { "x-api-key": secret, "transfer-encoding": "chunked" },
      body: Readable.from(["x".repeat(800), "x".repeat(800)]),
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", instance: "/v2/upload" });
    const small = await fetch(`${gw.url}/v2/upload`, {
      method: "POST",
      headers: { "x-api-key": secret },
      body: "ok",
    });
    expect(small.status).toBe(200);
  });

  it("announces deprecation with the exact RFC 9745 / RFC 8594 headers", async () => {
    const deprecatedAt = Date.UTC(2025, 0, 1, 0, 0, 0, 500);
    const sunsetAt = Date.UTC(2025, 0, 2, 12, 30, 0);
    await gw.world.updateKey(keyId, { status: "deprecated", deprecatedAt, sunsetAt });
    const response = await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } });
    expect(response.status).toBe(200);
    expect(response.headers.get("deprecation")).toBe(`@${Math.floor(deprecatedAt / 1000)}`);
    expect(response.headers.get("deprecation")).toBe("@1735689600");
    expect(response.headers.get("sunset")).toBe("Thu, 02 Jan 2025 12:30:00 GMT");
    expect(response.headers.get("link")).toBe('<https://keygate.dev/docs/rotation>; rel="deprecation"');
  });

  it("adds the deprecation Link beside the upstream's own, at a configured URL, and omits Sunset when none is set", async () => {
    await gw.close();
    gw = await startGateway(upstream.url, { deprecationLink: "https://docs.example/rotate" }, gw.world);
    const dueAt = Date.UTC(2025, 5, 1);
    await gw.world.updateKey(keyId, { deprecatedAt: dueAt }); // due for rotation, still active
    const response = await fetch(`${gw.url}/linked`, { headers: { "x-api-key": secret } });
    expect(response.headers.get("deprecation")).toBe(`@${dueAt / 1000}`);
    expect(response.headers.get("sunset")).toBeNull();
    expect(response.headers.get("link")).toBe(
      '<https://api.example/next>; rel="next", <https://docs.example/rotate>; rel="deprecation"',
    );
  });

  it("sends no deprecation headers for an active key", async () => {
    const response = await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } });
    expect(response.headers.get("deprecation")).toBeNull();
    expect(response.headers.get("sunset")).toBeNull();
    expect(response.headers.get("link")).toBeNull();
  });

  it("survives clients that leave before the upstream answers, and lets go of the upstream request", async () => {
    for (let i = 0; i < 5; i++) {
      const seenBefore = upstream.seen.length;
      const controller = new AbortController();
      const leaving = fetch(`${gw.url}/slow?ms=2000`, {
        headers: { "x-api-key": secret },
        signal: controller.signal,
      });
      await until(() => upstream.seen.length > seenBefore); // the request reached the upstream
      controller.abort();
      await expect(leaving).rejects.toThrow();
    }
    // The upstream sees each of its connections closed long before it would have answered.
    await until(() => upstream.abandoned.length === 5);
    expect(upstream.abandoned).toEqual(Array.from({ length: 5 }, () => "/slow?ms=2000"));
    // And a client that leaves while the answer streams back.
    const streaming = await fetch(`${gw.url}/stream`, { headers: { "x-api-key": secret } });
    await streaming.body?.cancel();
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } })).status).toBe(200);
    expect(gw.logger.lines.filter((line) => line.level !== "info")).toEqual([]);
  });

  it("cuts the client's response when the upstream dies mid-body, and keeps serving", async () => {
    const response = await fetch(`${gw.url}/broken`, { headers: { "x-api-key": secret } });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    await until(() => gw.logger.lines.length > 0);
    expect(gw.logger.lines.map((line) => line.msg)).toEqual(["upstream response stream failed"]);
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } })).status).toBe(200);
  });

  it("prefixes the upstream URL's path", async () => {
    await gw.close();
    gw = await startGateway(`${upstream.url}/base/`, {}, gw.world);
    await fetch(`${gw.url}/v2/x?q=1`, { headers: { "x-api-key": secret } });
    expect(lastSeen().url).toBe("/base/v2/x?q=1");
  });
});

describe("gateway: upstream failures", () => {
  it("answers 502 UPSTREAM_UNAVAILABLE when the upstream refuses connections, and logs no secret", async () => {
    const upstream = await startUpstream();
    const deadUrl = upstream.url;
    await upstream.close();
    const gw = await startGateway(deadUrl);
    try {
      const consumer = await gw.world.addConsumer();
      const { secret } = await gw.world.addKey(consumer.id);
      const response = await fetch(`${gw.url}/v2/x?token=abc`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(response.status).toBe(502);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({
        code: "UPSTREAM_UNAVAILABLE",
        status: 502,
        instance: "/v2/x",
      });
      const warned = gw.logger.lines.filter((line) => line.level === "warn");
      expect(warned).toHaveLength(1);
      expect(gw.logger.text()).toContain("ECONNREFUSED");
      expect(gw.logger.text()).not.toContain(secret);
      expect(gw.logger.text()).not.toContain("token=abc");
    } finally {
      await gw.close();
    }
  });

  it("answers 502 when the upstream does not answer within the timeout", async () => {
    const upstream = await startUpstream();
    const gw = await startGateway(upstream.url, { upstreamTimeoutMs: 200 });
    try {
      const consumer = await gw.world.addConsumer();
      const { secret } = await gw.world.addKey(consumer.id);
      const response = await fetch(`${gw.url}/slow`, { headers: { "x-api-key": secret } });
      expect(response.status).toBe(502);
      // The upstream would have answered 200 after 2 s: a 502 means the gateway gave up first.
      expect(((await response.json()) as { code: string }).code).toBe("UPSTREAM_UNAVAILABLE");
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
