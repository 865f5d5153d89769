/**
 * Security review on the admin port, over real sockets on loopback:
 * finding 3 (an anonymous slow body to `/v1/leaks` stayed open for minutes)
 * and finding 10e (10,000 bad admin tokens evicted the auth cache; nothing
 * throttled a guesser).
 */
import type { Socket } from "node:net";
import type { AdminToken, KeyStore } from "@keygate/core";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildAdminApp } from "../../src/admin/admin-app.ts";
import { AdminAuthenticator, type AdminAuthenticatorOptions } from "../../src/admin/admin-auth.ts";
import { ensureBootstrapToken } from "../../src/admin/admin-tokens.ts";
import { LocalChangeBus } from "../../src/cluster/local/local-change-bus.ts";
import { cryptoRandom, nodeHasher } from "../../src/platform/node-platform.ts";
import type { ServiceDeps } from "../../src/services/service-deps.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import { until } from "../gateway/gateway-harness.ts";
import { openSocket } from "../gateway/raw-http.ts";
import { TestClock } from "./support/admin-harness.ts";

interface AdminPort {
  readonly url: string;
  readonly token: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

async function startAdminPort(
  options: Partial<Parameters<typeof buildAdminApp>[0]> = {},
): Promise<AdminPort> {
  const store = new MemoryKeyStore({ hasher: nodeHasher });
  const bus = new LocalChangeBus();
  const deps: ServiceDeps = { store, clock: new TestClock(), random: cryptoRandom, hasher: nodeHasher, bus };
  const verifier = new Verifier({ store, clock: deps.clock, hasher: nodeHasher });
  const bootstrap = await ensureBootstrapToken({ deps });
  if (bootstrap.token === undefined) throw new Error("no bootstrap token");
  const app = await buildAdminApp({
    deps,
    propagation: bus,
    verify: (secret, scopes) => verifier.verify(secret, scopes),
    ready: async () => true,
    metrics: async () => "",
    nodeId: "node-test",
    ...options,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("not listening");
  return {
    url: `http://127.0.0.1:${address.port}`,
    token: bootstrap.token,
    app,
    async close() {
      await app.close();
      await bus.close();
    },
  };
}

describe("security review 3: the admin port bounds slow clients", () => {
  let port: AdminPort | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await port?.close();
    port = undefined;
  });

  it("closes an anonymous slow body to /v1/leaks after the request timeout", async () => {
    port = await startAdminPort({ timeouts: { requestTimeoutMs: 1_000, headersTimeoutMs: 500 } });
    const socket = await openSocket(port.url);
    sockets.push(socket);
    let data = "";
    let closedAt: number | undefined;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.on("close", () => {
      closedAt = Date.now();
    });
    socket.on("error", () => {});
    const started = Date.now();
    socket.write(
      "POST /v1/leaks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n[",
    );
    await until(() => closedAt !== undefined, 4_000);
    expect((closedAt ?? 0) - started).toBeLessThan(3_000);
    if (data !== "") expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes a connection whose headers never end after the headers timeout", async () => {
    port = await startAdminPort({ timeouts: { requestTimeoutMs: 1_000, headersTimeoutMs: 500 } });
    const socket = await openSocket(port.url);
    sockets.push(socket);
    let closedAt: number | undefined;
    socket.on("close", () => {
      closedAt = Date.now();
    });
    socket.on("error", () => {});
    socket.resume(); // a paused socket never reports the server's close
    const started = Date.now();
    socket.write("GET /v1/keys HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer kga_");
    await until(() => closedAt !== undefined, 4_000);
    expect((closedAt ?? 0) - started).toBeLessThan(2_500);
  });
});

describe("security review 10e: bad admin tokens neither evict known ones nor go unthrottled", () => {
  let port: AdminPort | undefined;
  afterEach(async () => {
    await port?.close();
    port = undefined;
  });

  it("answers 429 with Retry-After to a client past the refused-token limit; the right token works after", async () => {
    port = await startAdminPort({ authFailuresPerMinute: 5 });
    const call = (token: string) =>
      fetch(`${port?.url}/v1/consumers`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 5; i++) expect((await call(`kga_wrong_${i}_${"x".repeat(32)}`)).status).toBe(401);
    expect((await call(`kga_wrong_5_${"x".repeat(32)}`)).status).toBe(401);
    const throttled = await call(port.token);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(throttled.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(await throttled.json()).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    // Public routes stay reachable.
    expect((await fetch(`${port.url}/healthz`)).status).toBe(200);
  });

  it("keeps a known token cached through 10,000 unknown ones (no store read for it afterwards)", async () => {
    const clock = new TestClock();
    const store = new MemoryKeyStore({ hasher: nodeHasher });
    const deps: ServiceDeps = {
      store,
      clock,
      random: cryptoRandom,
      hasher: nodeHasher,
      bus: new LocalChangeBus(),
    };
    const bootstrap = await ensureBootstrapToken({ deps });
    if (bootstrap.token === undefined) throw new Error("no bootstrap token");
    let reads = 0;
    const counting: KeyStore = Object.create(store) as KeyStore;
    counting.findAdminTokenByHash = async (hash: string): Promise<AdminToken | null> => {
      reads++;
      return store.findAdminTokenByHash(hash);
    };
    const options: AdminAuthenticatorOptions = { store: counting, hasher: nodeHasher, clock, ttlMs: 60_000 };
    const auth = new AdminAuthenticator(options);
    await auth.authenticate(`Bearer ${bootstrap.token}`);
    expect(reads).toBe(1);
    for (let i = 0; i < 10_000; i++) {
      await expect(auth.authenticate(`Bearer kga_guess_${i}_${"y".repeat(32)}`)).rejects.toMatchObject({
        code: "UNAUTHENTICATED",
      });
    }
    expect(reads).toBe(10_001);
    const before = reads;
    await auth.authenticate(`Bearer ${bootstrap.token}`);
    expect(reads).toBe(before);
    expect(auth.cacheSize().unknown).toBeLessThanOrEqual(1_000);
    expect(auth.cacheSize().known).toBe(1);
  });
});
