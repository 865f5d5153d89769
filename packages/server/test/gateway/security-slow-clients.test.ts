/**
 * Security review, finding 3: connections that send a declared body one byte
 * at a time held the gateway's upstream connections, so other consumers
 * waited. The gateway now bounds how long a request may take to arrive, and
 * how many requests one consumer may have in flight upstream.
 */
import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GatewayHarness, startGateway, startUpstream, type Upstream, until } from "./gateway-harness.ts";
import { openSocket, parseResponses } from "./raw-http.ts";

/** A socket that sent `head` and keeps quiet; records when the server closed it and what it answered. */
interface HeldSocket {
  readonly socket: Socket;
  closedAt: number | undefined;
  data: string;
}

async function hold(url: string, head: string): Promise<HeldSocket> {
  const socket = await openSocket(url);
  const held: HeldSocket = { socket, closedAt: undefined, data: "" };
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    held.data += chunk;
  });
  socket.on("close", () => {
    held.closedAt = Date.now();
  });
  socket.on("error", () => {});
  socket.write(head);
  return held;
}

describe("security review 3: slow clients cannot hold the gateway or the upstream pool", () => {
  let upstream: Upstream;
  let gw: GatewayHarness | undefined;
  const held: HeldSocket[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  afterEach(async () => {
    for (const h of held.splice(0)) h.socket.destroy();
    await gw?.close();
    gw = undefined;
  });

  it("cuts 20 slow-body requests after the request timeout, and another consumer is served meanwhile", async () => {
    gw = await startGateway(upstream.url, {
      upstreamConnections: 4,
      requestTimeoutMs: 1_000,
      headersTimeoutMs: 500,
    });
    const slow = (await gw.world.addKey((await gw.world.addConsumer()).id)).secret;
    const other = (await gw.world.addKey((await gw.world.addConsumer()).id)).secret;
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      held.push(
        await hold(
          gw.url,
          `POST /v2/upload HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: ${slow}\r\ncontent-length: 1000\r\n\r\nx`,
        ),
      );
    }
    // Every upstream connection is now waiting for one of those bodies.
    const response = await fetch(`${gw.url}/v2/x`, {
      headers: { "x-api-key": other },
      signal: AbortSignal.timeout(4_000),
    });
    expect(response.status).toBe(200);
    await until(() => held.every((h) => h.closedAt !== undefined), 4_000);
    for (const h of held) {
      expect((h.closedAt ?? Number.POSITIVE_INFINITY) - started).toBeLessThan(3_500);
      const answer = parseResponses(h.data).responses[0];
      if (answer !== undefined) expect(answer.status).toBe(408);
    }
  });

  it("closes a connection whose headers never end after the headers timeout", async () => {
    gw = await startGateway(upstream.url, { requestTimeoutMs: 1_000, headersTimeoutMs: 500 });
    const started = Date.now();
    const h = await hold(gw.url, "GET /v2/x HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: kg_");
    held.push(h);
    await until(() => h.closedAt !== undefined, 3_000);
    expect((h.closedAt ?? 0) - started).toBeLessThan(2_000);
  });

  it("answers 429 RATE_LIMITED with Retry-After: 1 past a consumer's in-flight cap; others go on", async () => {
    gw = await startGateway(upstream.url, { maxInFlightPerConsumer: 3 });
    const busy = (await gw.world.addKey((await gw.world.addConsumer()).id)).secret;
    const other = (await gw.world.addKey((await gw.world.addConsumer()).id)).secret;
    upstream.seen.length = 0;
    const pending = [1, 2, 3].map(() => fetch(`${gw?.url}/slow?ms=800`, { headers: { "x-api-key": busy } }));
    await until(() => upstream.seen.filter((s) => s.url.startsWith("/slow")).length === 3);

    const refused = await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": busy } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": other } })).status).toBe(200);

    for (const response of await Promise.all(pending)) expect(response.status).toBe(200);
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": busy } })).status).toBe(200);
  });

  it("frees a consumer's slot when its client leaves before the upstream answers", async () => {
    gw = await startGateway(upstream.url, { maxInFlightPerConsumer: 1 });
    const key = (await gw.world.addKey((await gw.world.addConsumer()).id)).secret;
    const abort = new AbortController();
    const leaving = fetch(`${gw.url}/slow?ms=5000`, { headers: { "x-api-key": key }, signal: abort.signal });
    await until(() => upstream.seen.some((s) => s.url === "/slow?ms=5000"));
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": key } })).status).toBe(429);
    abort.abort();
    await leaving.catch(() => undefined);
    await until(() => upstream.abandoned.includes("/slow?ms=5000"));
    expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": key } })).status).toBe(200);
  });
});
