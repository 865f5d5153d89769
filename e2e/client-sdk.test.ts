/**
 * The headline behaviours of `@keygate/client` (README: "What it does for
 * you") in-process against a real keygate node and the market-data upstream.
 * Edge cases a real server cannot be made to produce on demand (held
 * requests, a 5xx self-rotation, 429 on cue) stay in packages/client/test
 * against its fake.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  envKeyStore,
  type KeygateClientEvents,
  type KeygateClientOptions,
  type KeyStore,
  keyHint,
  memoryKeyStore,
} from "@keygate/client";
import { KeygateClient } from "@keygate/client/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runConsumer } from "../examples/consumer/src/run-consumer.ts";
import { dropKeyFile, waitUntil } from "./support/client-workers.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";

interface KeyView {
  id: string;
  version: number;
  status: string;
  lineageId: string;
  sunsetAt: string | null;
}

/** One HTTP exchange the client made (hints only). */
interface Exchange {
  method: string;
  path: string;
  status: number;
  hint: string | null;
}

let stack: KeygateStack;
let dir: string;
const clients: KeygateClient[] = [];

beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), "keygate-client-sdk-"));
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function newKey(name: string): Promise<{ secret: string; key: KeyView; consumerId: string }> {
  const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name });
  const created = await stack.admin<{ secret: string; key: KeyView }>(
    "POST",
    `/v1/consumers/${consumer.body.id}/keys`,
    { name: "app" },
  );
  return { ...created.body, consumerId: consumer.body.id };
}

async function lineage(consumerId: string): Promise<KeyView[]> {
  const keys = await stack.admin<{ data: KeyView[] }>("GET", `/v1/keys?consumerId=${consumerId}`);
  return keys.body.data.sort((a, b) => a.version - b.version);
}

async function requestRotation(keyId: string, sunsetAt: Date): Promise<void> {
  const res = await stack.admin("POST", `/v1/keys/${keyId}/request-rotation?wait=true`, {
    sunsetAt: sunsetAt.toISOString(),
  });
  expect(res.status).toBe(200);
}

function makeClient(store: KeyStore, options: Partial<KeygateClientOptions> = {}) {
  const exchanges: Exchange[] = [];
  const observing: typeof fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const key = new Headers(init?.headers).get("x-api-key");
    const url = new URL(String(input));
    exchanges.push({
      method: init?.method ?? "GET",
      path: `${url.origin === stack.adminUrl ? "admin:" : ""}${url.pathname}`,
      status: response.status,
      hint: key === null ? null : keyHint(key),
    });
    return response;
  };
  const client = new KeygateClient({ baseUrl: stack.gatewayUrl, store, fetch: observing, ...options });
  clients.push(client);
  const events = {
    rotated: [] as KeygateClientEvents["rotated"][],
    deprecated: [] as KeygateClientEvents["deprecated"][],
    errors: [] as Error[],
  };
  client.on("rotated", (e) => events.rotated.push(e));
  client.on("deprecated", (e) => events.deprecated.push(e));
  client.on("error", (e) => events.errors.push(e.error));
  const selfRotations = () => exchanges.filter((e) => e.path.endsWith("/v1/self/rotate"));
  return { client, events, exchanges, selfRotations };
}

const grades = "/v2/trader-grades?symbol=ETH";

describe("@keygate/client against a real keygate: Deprecation/Sunset", () => {
  it("self-rotates once however many concurrent responses carry the signal, saves and switches", async () => {
    const { secret, key, consumerId } = await newKey("concurrent");
    const store = memoryKeyStore(secret);
    const { client, events, selfRotations } = makeClient(store);
    expect((await client.fetch(grades)).headers.get("deprecation")).toBeNull();

    const sunsetAt = new Date(Date.now() + 3_600_000);
    await requestRotation(key.id, sunsetAt);
    const signalled = await Promise.all(Array.from({ length: 8 }, () => client.fetch(grades)));
    for (const res of signalled) {
      expect(res.status).toBe(200);
      expect(res.headers.get("sunset")).toBe(
        new Date(Math.floor(sunsetAt.getTime() / 1000) * 1000).toUTCString(),
      );
    }
    await client.idle();

    const keys = await lineage(consumerId);
    expect(keys.map((k) => k.version)).toEqual([1, 2]);
    expect(selfRotations()).toEqual([
      { method: "POST", path: "/v1/self/rotate", status: 201, hint: keyHint(secret) },
    ]);
    const saved = await store.load();
    expect(saved).not.toBe(secret);
    expect(events.rotated).toEqual([
      { oldHint: keyHint(secret), newHint: keyHint(saved ?? ""), source: "self" },
    ]);
    expect(await client.keyInfo()).toEqual({ hint: keyHint(saved ?? ""), keyId: keys[1]?.id, version: 2 });
    const after = await client.fetch(grades);
    expect(after.headers.get("deprecation")).toBeNull();
    expect(after.headers.get("x-upstream-saw-key")).toBe(keys[1]?.id);
    expect(events.errors).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it("lets clients sharing one memory store rotate once between them", async () => {
    const { secret, key, consumerId } = await newKey("shared-memory");
    const store = memoryKeyStore(secret);
    const a = makeClient(store);
    const b = makeClient(store);
    await requestRotation(key.id, new Date(Date.now() + 3_600_000));
    await Promise.all([a.client.fetch(grades), b.client.fetch(grades)]);
    await Promise.all([a.client.idle(), b.client.idle()]);
    expect((await lineage(consumerId)).map((k) => k.version)).toEqual([1, 2]);
    expect([...a.selfRotations(), ...b.selfRotations()].map((e) => e.status)).toEqual([201]);
    const current = await store.load();
    expect((await a.client.keyInfo()).hint).toBe(keyHint(current ?? ""));
    expect((await b.client.keyInfo()).hint).toBe(keyHint(current ?? ""));
  });

  it("with autoRotate off, or a read-only store, reports deprecated with the sunset instead of rotating", async () => {
    const { secret, key, consumerId } = await newKey("hands-off");
    const manual = makeClient(memoryKeyStore(secret), { autoRotate: false });
    process.env.KEYGATE_E2E_CLIENT_KEY = secret;
    const readOnly = makeClient(envKeyStore("KEYGATE_E2E_CLIENT_KEY"));
    const sunsetAt = new Date(Date.now() + 3_600_000);
    await requestRotation(key.id, sunsetAt);
    for (const { client } of [manual, readOnly]) {
      expect((await client.fetch(grades)).status).toBe(200);
      await client.fetch(grades); // a second signal is not reported again
      await client.idle();
    }
    delete process.env.KEYGATE_E2E_CLIENT_KEY;
    const wholeSecond = new Date(Math.floor(sunsetAt.getTime() / 1000) * 1000);
    for (const { events, selfRotations } of [manual, readOnly]) {
      expect(events.deprecated).toEqual([
        { hint: keyHint(secret), sunsetAt: wholeSecond, deprecatedAt: expect.any(Date) },
      ]);
      expect(events.rotated).toEqual([]);
      expect(selfRotations()).toEqual([]);
    }
    expect((await lineage(consumerId)).map((k) => k.version)).toEqual([1]);
  });

  it("rotate() rotates on demand, through the gateway port or an absolute selfRotatePath (the admin port)", async () => {
    const viaGateway = await newKey("on-demand-gateway");
    const g = makeClient(memoryKeyStore(viaGateway.secret), { autoRotate: false });
    expect(await g.client.rotate()).toMatchObject({ version: 2 });
    expect(g.selfRotations().map((e) => e.path)).toEqual(["/v1/self/rotate"]);

    const viaAdmin = await newKey("on-demand-admin");
    const a = makeClient(memoryKeyStore(viaAdmin.secret), {
      selfRotatePath: `${stack.adminUrl}/v1/self/rotate`,
    });
    const info = await a.client.rotate();
    expect(a.selfRotations().map((e) => [e.path, e.status])).toEqual([["admin:/v1/self/rotate", 201]]);
    const keys = await lineage(viaAdmin.consumerId);
    expect(info).toMatchObject({ keyId: keys[1]?.id, version: 2 });
    // The successor works on the gateway; the old key is deprecated for the consumer's default overlap.
    const res = await a.client.fetch(grades);
    expect(res.headers.get("x-upstream-saw-key")).toBe(keys[1]?.id);
    expect(keys[0]?.status).toBe("deprecated");
  });

  it("a second rotate() of a key someone else already rotated is refused (409) and reported, not repeated", async () => {
    const { secret, key, consumerId } = await newKey("raced");
    await stack.admin("POST", `/v1/keys/${key.id}/rotate`, { overlapSeconds: 600 });
    const { client, events, selfRotations } = makeClient(memoryKeyStore(secret));
    await expect(client.rotate()).rejects.toMatchObject({ code: "ROTATION_FAILED" });
    expect(selfRotations().map((e) => e.status)).toEqual([409]);
    expect(events.deprecated).toEqual([expect.objectContaining({ hint: keyHint(secret) })]);
    // The signal on later responses does not start another attempt.
    await client.fetch(grades);
    await client.idle();
    expect(selfRotations()).toHaveLength(1);
    expect((await lineage(consumerId)).map((k) => k.version)).toEqual([1, 2]);
  });
});

describe("@keygate/client against a real keygate: 401 recovery", () => {
  it("after an emergency rollover, retries once with the key the store now holds, replaying the body", async () => {
    const { secret, key } = await newKey("rollover");
    // No watcher: only the 401 makes the client look at the store again.
    const value = { current: secret };
    const store: KeyStore = { load: async () => value.current };
    const { client, exchanges } = makeClient(store);
    expect((await client.fetch(grades)).status).toBe(200);

    const rolled = await stack.admin<{ secret: string; key: KeyView }>(
      "POST",
      `/v1/keys/${key.id}/rotate?wait=true`,
      { overlapSeconds: 0 },
    );
    value.current = rolled.body.secret;
    exchanges.length = 0;
    const order = await client.fetch("/v2/orders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ symbol: "ETH", side: "buy", quantity: 2 }),
    });
    expect(order.status).toBe(201);
    expect(order.headers.get("x-upstream-saw-key")).toBe(rolled.body.key.id);
    expect(exchanges.map((e) => [e.status, e.hint])).toEqual([
      [401, keyHint(secret)],
      [201, keyHint(rolled.body.secret)],
    ]);
    expect(((await order.json()) as { quantity: number }).quantity).toBe(2);
  });

  it("does not retry a streamed body, but uses the new key from the next request", async () => {
    const { secret, key } = await newKey("streamed");
    const value = { current: secret };
    const { client, exchanges } = makeClient({ load: async () => value.current });
    await client.fetch(grades);
    const rolled = await stack.admin<{ secret: string }>("POST", `/v1/keys/${key.id}/rotate?wait=true`, {
      overlapSeconds: 0,
    });
    value.current = rolled.body.secret;
    exchanges.length = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"symbol":"ETH","side":"buy","quantity":1}'));
        controller.close();
      },
    });
    const refused = await client.fetch("/v2/orders", {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toMatch(/^KEY_(EXPIRED|REVOKED)$/);
    expect((await client.fetch(grades)).status).toBe(200);
    expect(exchanges.map((e) => [e.status, e.hint])).toEqual([
      [401, keyHint(secret)],
      [200, keyHint(rolled.body.secret)],
    ]);
  });
});

describe("examples/consumer against a real keygate", () => {
  it("keeps getting 2xx through a self-rotation and an operator's emergency rollover dropped into its file", async () => {
    const { secret, key, consumerId } = await newKey("example-consumer");
    const keyFile = join(dir, "example-key");
    writeFileSync(keyFile, `${secret}\n`, { mode: 0o600 });
    const lines: string[] = [];
    const requests = () => lines.filter((l) => /^\d{3} /.test(l)).length;

    const operator = (async () => {
      await waitUntil("3 requests", () => requests() >= 3);
      await requestRotation(key.id, new Date(Date.now() + 3_600_000));
      await waitUntil("the consumer self-rotated", () => lines.some((l) => l.includes("self-rotated")));
      const at = requests();
      await waitUntil("3 more requests", () => requests() >= at + 3);
      const current = (await lineage(consumerId)).at(-1);
      const rolled = await stack.admin<{ secret: string }>(
        "POST",
        `/v1/keys/${current?.id}/rotate?wait=true`,
        {
          overlapSeconds: 0,
        },
      );
      await dropKeyFile(keyFile, rolled.body.secret);
      return rolled.body.secret;
    })();
    const summary = await runConsumer({
      baseUrl: stack.gatewayUrl,
      keyFile,
      intervalMs: 100,
      maxRequests: 30,
      log: (line) => lines.push(line),
    });
    const rolledSecret = await operator;

    expect(summary.failures).toBe(0);
    expect(summary.statuses.filter((s) => s < 200 || s >= 300)).toEqual([]);
    expect(summary.statuses).toHaveLength(30);
    expect(summary.rotations).toBe(2);
    expect(lines.some((l) => l.includes("picked up from store"))).toBe(true);
    expect(readFileSync(keyFile, "utf8").trim()).toBe(rolledSecret);
    expect((await lineage(consumerId)).map((k) => k.version)).toEqual([1, 2, 3]);
    const text = lines.join("\n");
    expect(text).not.toContain(secret);
    expect(text).not.toContain(rolledSecret);
  });
});
