/**
 * Security review, findings 10a–c, over raw sockets on loopback:
 * `Expect: 100-continue` (was 502), two pipelined requests on one connection
 * (the second was never answered), and keys in a request path or query
 * (printed in the gateway's logs).
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GatewayHarness, startGateway, startUpstream, type Upstream, until } from "./gateway-harness.ts";
import { openSocket, parseResponses, rawExchange } from "./raw-http.ts";

describe("security review 10a–c: HTTP/1.1 edge cases and logs", () => {
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

  it("10a: Expect: 100-continue is authenticated first, then continued and forwarded", async () => {
    gw = await startGateway(upstream.url);
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const socket = await openSocket(gw.url);
    socket.setEncoding("latin1");
    let data = "";
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.write(
      `POST /v2/upload HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: ${secret}\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n`,
    );
    await until(() => data.startsWith("HTTP/1.1 100"), 3_000);
    socket.write("hello");
    await until(() => parseResponses(data).responses.some((r) => r.status >= 200), 3_000);
    socket.destroy();
    const final = parseResponses(data).responses.find((r) => r.status >= 200);
    expect(final?.status).toBe(200);
    expect(upstream.seen.at(-1)?.body).toBe("hello");
    expect(upstream.seen.at(-1)?.headers.expect).toBeUndefined();
  });

  it("10a: without a valid key the final status comes at once, with no 100 and no body read", async () => {
    gw = await startGateway(upstream.url);
    const { responses } = await rawExchange(
      gw.url,
      "POST /v2/upload HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n",
      { count: 1, timeoutMs: 3_000 },
    );
    expect(responses.map((r) => r.status)).toEqual([401]);
    expect(upstream.seen).toHaveLength(0);
  });

  it("10b: answers both of two pipelined requests on one connection, in order", async () => {
    gw = await startGateway(upstream.url);
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const one = `GET /v2/first HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: ${secret}\r\n\r\n`;
    const two = `POST /v2/second HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: ${secret}\r\ncontent-length: 3\r\n\r\nabc`;
    const { responses } = await rawExchange(gw.url, one + two, { count: 2, timeoutMs: 4_000 });
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(responses.map((r) => (JSON.parse(r.body) as { url: string }).url)).toEqual([
      "/v2/first",
      "/v2/second",
    ]);
    expect(upstream.seen.find((s) => s.url === "/v2/second")?.body).toBe("abc");
  });

  it("10b: answers pipelined refusals and a forwarded request alike", async () => {
    gw = await startGateway(upstream.url);
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const refused = "GET /v2/a HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
    const served = `GET /v2/b HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: ${secret}\r\n\r\n`;
    const { responses } = await rawExchange(gw.url, refused + served + refused, {
      count: 3,
      timeoutMs: 4_000,
    });
    expect(responses.map((r) => r.status)).toEqual([401, 200, 401]);
  });

  it("10c: never logs a key-shaped string from the request path or query", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString("utf8"));
        done();
      },
    });
    const logger = pino({ level: "info" }, sink);
    // A dead upstream makes the gateway log the failed request (a warning naming its path).
    gw = await startGateway("http://127.0.0.1:1", { logger, upstreamTimeoutMs: 500 });
    const { secret } = await gw.world.addKey((await gw.world.addConsumer()).id);
    const inPath = "kg_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_abcdef";
    const inQuery = "kg_test_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB_ghijkl";
    const response = await fetch(`${gw.url}/v2/keys/${inPath}/x?api_key=${inQuery}`, {
      headers: { "x-api-key": secret },
    });
    expect(response.status).toBe(502);
    await until(() => lines.length > 0);
    const text = lines.join("");
    expect(text).toContain("upstream request failed");
    expect(text).toContain("/v2/keys/kg_live_");
    expect(text).not.toContain(inPath);
    expect(text).not.toContain(inQuery);
    expect(text).not.toContain(secret);
  });
});
