import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeygateClientEvents } from "../src/client-events.ts";
import { envKeyStore } from "../src/env-key-store.ts";
import { keyHint } from "../src/key-shape.ts";
import type { KeyStore } from "../src/key-store.ts";
import { KeygateClient, type KeygateClientOptions } from "../src/keygate-client.ts";
import { memoryKeyStore } from "../src/memory-key-store.ts";
import { FakeKeygate } from "./support/fake-keygate.ts";
import { waitFor } from "./support/wait-for.ts";

let keygate: FakeKeygate;
let baseUrl: string;
const clients: KeygateClient[] = [];

beforeEach(async () => {
  keygate = new FakeKeygate();
  baseUrl = await keygate.start();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await keygate.close();
});

interface Recorded {
  rotated: KeygateClientEvents["rotated"][];
  deprecated: KeygateClientEvents["deprecated"][];
  errors: Error[];
}

function makeClient(store: KeyStore, options: Partial<KeygateClientOptions> = {}) {
  const client = new KeygateClient({ baseUrl, store, ...options });
  clients.push(client);
  const events: Recorded = { rotated: [], deprecated: [], errors: [] };
  client.on("rotated", (e) => events.rotated.push(e));
  client.on("deprecated", (e) => events.deprecated.push(e));
  client.on("error", (e) => events.errors.push(e.error));
  return { client, events };
}

/** A store with no watcher, so only the client's own reloads can notice a change. */
function unwatchedStore(initial: string): KeyStore & { value: string | null } {
  const store = {
    value: initial as string | null,
    async load() {
      return store.value;
    },
    async save(secret: string, previous: string | null) {
      if (store.value !== previous) return false;
      store.value = secret;
      return true;
    },
  };
  return store;
}

function expectNoSecrets(events: Recorded, ...secrets: string[]) {
  const text = JSON.stringify(events) + events.errors.map((e) => `${e.message} ${String(e.cause)}`).join(" ");
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("KeygateClient: requests", () => {
  it("sends the key as x-api-key and resolves paths against the base URL's path", async () => {
    const secret = keygate.issue();
    const client = new KeygateClient({ baseUrl: `${baseUrl}/api/`, store: memoryKeyStore(secret) });
    clients.push(client);
    const res = await client.fetch("/v2/daily-ohlcv?symbol=ETH", { headers: { accept: "application/json" } });
    expect(res.status).toBe(200);
    expect(keygate.requests.at(-1)).toMatchObject({ path: "/api/v2/daily-ohlcv?symbol=ETH", key: secret });
    await client.fetch("v2/trader-grades");
    expect(keygate.requests.at(-1)?.path).toBe("/api/v2/trader-grades");
    await client.fetch(new Request(`${baseUrl}/v2/orders`, { method: "POST", body: "{}" }));
    expect(keygate.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/v2/orders",
      key: secret,
      body: "{}",
    });
  });

  it("refuses to send the key to another origin", async () => {
    const { client } = makeClient(memoryKeyStore(keygate.issue()));
    await expect(client.fetch("http://127.0.0.2:1/steal")).rejects.toMatchObject({ code: "CROSS_ORIGIN" });
    await expect(client.fetch(new URL("https://example.com/"))).rejects.toMatchObject({
      code: "CROSS_ORIGIN",
    });
    expect(keygate.requests).toHaveLength(0);
  });

  it("fails clearly when the store has no usable key", async () => {
    await expect(makeClient(memoryKeyStore(null)).client.fetch("/v2/x")).rejects.toMatchObject({
      code: "NO_KEY",
    });
    await expect(makeClient(memoryKeyStore("hunter2")).client.fetch("/v2/x")).rejects.toMatchObject({
      code: "NO_KEY",
    });
    expect(keygate.requests).toHaveLength(0);
  });
});

describe("KeygateClient: Deprecation/Sunset", () => {
  it("self-rotates, saves the successor, switches and reports hints only", async () => {
    const old = keygate.issue();
    const sunset = new Date(Date.now() + 3_600_000);
    keygate.deprecate(old, sunset);
    const store = memoryKeyStore(old);
    const { client, events } = makeClient(store);

    const res = await client.fetch("/v2/daily-ohlcv");
    expect(res.status).toBe(200);
    await client.idle();

    const successor = await store.load();
    expect(successor).not.toBe(old);
    expect(successor).toMatch(/^kg_test_/);
    expect(keygate.selfRotateCalls).toBe(1);
    expect(events.rotated).toEqual([
      { oldHint: keyHint(old), newHint: keyHint(successor ?? ""), source: "self" },
    ]);
    expect(await client.keyInfo()).toEqual({ hint: keyHint(successor ?? ""), keyId: "key_2", version: 2 });

    await client.fetch("/v2/daily-ohlcv");
    expect(keygate.requests.at(-1)?.key).toBe(successor);
    expectNoSecrets(events, old, successor ?? "");
  });

  it("rotates once however many concurrent responses carry the signal", async () => {
    const old = keygate.issue();
    keygate.deprecate(old, new Date(Date.now() + 3_600_000));
    keygate.selfRotateDelayMs = 100;
    const { client, events } = makeClient(memoryKeyStore(old));
    const responses = await Promise.all(Array.from({ length: 10 }, () => client.fetch("/v2/x")));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    await client.idle();
    expect(keygate.selfRotateCalls).toBe(1);
    expect(events.rotated).toHaveLength(1);
  });

  it("never rotates twice for the same key, even when a late response made with it arrives", async () => {
    const old = keygate.issue();
    keygate.deprecate(old, new Date(Date.now() + 3_600_000));
    const { client, events } = makeClient(memoryKeyStore(old));
    const slow = client.fetch("/v2/slow?delayMs=300");
    await client.fetch("/v2/fast");
    await client.idle();
    expect(events.rotated).toHaveLength(1);
    expect((await slow).headers.get("deprecation")).toMatch(/^@\d+$/);
    await client.idle();
    expect(keygate.selfRotateCalls).toBe(1);
  });

  it("takes the successor from the store instead of rotating when another process already did", async () => {
    const old = keygate.issue();
    const store = unwatchedStore(old);
    const { client, events } = makeClient(store);
    await client.fetch("/v2/x");
    store.value = keygate.rotate(old); // someone else rotated and wrote the store
    await client.fetch("/v2/x");
    await client.idle();
    expect(keygate.selfRotateCalls).toBe(0);
    expect(events.rotated).toEqual([
      { oldHint: keyHint(old), newHint: keyHint(store.value), source: "store" },
    ]);
    await client.fetch("/v2/x");
    expect(keygate.requests.at(-1)?.key).toBe(store.value);
  });

  it("on 409 (not the newest of its lineage) reloads, then reports deprecated once with the sunset", async () => {
    const old = keygate.issue();
    const { client, events } = makeClient(memoryKeyStore(old));
    keygate.rotate(old, 7_200_000); // an operator rotated; the successor is not in our store
    const sunset = keygate.key(old).sunsetAt;
    await client.fetch("/v2/x");
    await client.idle();
    await client.fetch("/v2/x");
    await client.idle();
    expect(keygate.selfRotateCalls).toBe(1);
    expect(events.rotated).toHaveLength(0);
    expect(events.deprecated).toHaveLength(1);
    expect(events.deprecated[0]?.hint).toBe(keyHint(old));
    expect(events.deprecated[0]?.sunsetAt?.getTime()).toBe(
      Math.floor((sunset?.getTime() ?? 0) / 1000) * 1000,
    );
    expect(events.errors).toEqual([]);
    const info = await client.keyInfo();
    expect(info.sunsetAt?.toUTCString()).toBe(sunset?.toUTCString());
  });

  it("with autoRotate off, or a read-only store, reports deprecated instead of rotating", async () => {
    const a = keygate.issue();
    keygate.deprecate(a, new Date(Date.now() + 60_000));
    const manual = makeClient(memoryKeyStore(a), { autoRotate: false });
    await manual.client.fetch("/v2/x");
    await manual.client.fetch("/v2/x");
    await manual.client.idle();
    expect(manual.events.deprecated).toHaveLength(1);

    const b = keygate.issue();
    keygate.deprecate(b, new Date(Date.now() + 60_000));
    process.env.KEYGATE_CLIENT_TEST_KEY = b;
    try {
      const readOnly = makeClient(envKeyStore("KEYGATE_CLIENT_TEST_KEY"));
      await readOnly.client.fetch("/v2/x");
      await readOnly.client.idle();
      expect(readOnly.events.deprecated).toHaveLength(1);
    } finally {
      delete process.env.KEYGATE_CLIENT_TEST_KEY;
    }
    expect(keygate.selfRotateCalls).toBe(0);
  });

  it("reports a failed self-rotation and tries again only after rotationRetryMs", async () => {
    const old = keygate.issue();
    keygate.deprecate(old, new Date(Date.now() + 60_000));
    keygate.selfRotateFailure = 503;
    const { client, events } = makeClient(memoryKeyStore(old), { rotationRetryMs: 200 });
    await client.fetch("/v2/x");
    await client.idle();
    await client.fetch("/v2/x");
    await client.idle();
    expect(keygate.selfRotateCalls).toBe(1);
    expect(events.errors.map((e) => e.message)).toEqual([`self-rotation of ${keyHint(old)} answered 503`]);
    keygate.selfRotateFailure = null;
    await new Promise((resolve) => setTimeout(resolve, 250));
    await client.fetch("/v2/x");
    await client.idle();
    expect(keygate.selfRotateCalls).toBe(2);
    expect(events.rotated).toHaveLength(1);
    expectNoSecrets(events, old);
  });

  it("self-rotates at an absolute selfRotatePath (e.g. the admin port) when configured", async () => {
    const old = keygate.issue();
    keygate.deprecate(old, new Date(Date.now() + 60_000));
    const adminPort = new FakeKeygate();
    const adminUrl = await adminPort.start();
    try {
      adminPort.keys.set(old, { ...keygate.key(old) });
      const { client, events } = makeClient(memoryKeyStore(old), {
        selfRotatePath: `${adminUrl}/v1/self/rotate`,
      });
      await client.fetch("/v2/x");
      await client.idle();
      expect(adminPort.selfRotateCalls).toBe(1);
      expect(keygate.selfRotateCalls).toBe(0);
      expect(events.rotated).toHaveLength(1);
    } finally {
      await adminPort.close();
    }
  });

  it("rotate() rotates on demand, even with autoRotate off", async () => {
    const old = keygate.issue();
    const store = memoryKeyStore(old);
    const { client } = makeClient(store, { autoRotate: false });
    const info = await client.rotate();
    expect(info.version).toBe(2);
    expect(await store.load()).not.toBe(old);
    await expect(client.rotate()).resolves.toMatchObject({ version: 3 });
    expect(keygate.selfRotateCalls).toBe(2);
  });
});

describe("KeygateClient: 401 recovery", () => {
  const replayable: [string, () => BodyInit][] = [
    ["a string", () => '{"symbol":"ETH"}'],
    ["URLSearchParams", () => new URLSearchParams({ symbol: "ETH" })],
    ["an ArrayBuffer", () => new TextEncoder().encode("bytes!").buffer as ArrayBuffer],
    ["a Uint8Array", () => new TextEncoder().encode("bytes!")],
    ["a Blob", () => new Blob(["blob!"])],
  ];

  for (const [name, body] of replayable) {
    it(`retries once with the store's new key when the body is ${name}`, async () => {
      const old = keygate.issue();
      const store = unwatchedStore(old);
      const { client, events } = makeClient(store);
      await client.fetch("/v2/warm-up");
      store.value = keygate.rotate(old, 0); // emergency rollover: old key revoked at once
      const res = await client.fetch("/v2/orders", { method: "POST", body: body() });
      expect(res.status).toBe(200);
      const [first, second] = keygate.requests.slice(-2);
      expect(first?.key).toBe(old);
      expect(second?.key).toBe(store.value);
      expect(second?.body).toBe(first?.body);
      expect(second?.body.length).toBeGreaterThan(0);
      expect(events.rotated).toHaveLength(1);
    });
  }

  it("does not retry a streamed body, but uses the new key from the next request", async () => {
    const old = keygate.issue();
    const store = unwatchedStore(old);
    const { client } = makeClient(store);
    await client.fetch("/v2/warm-up");
    store.value = keygate.rotate(old, 0);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const res = await client.fetch("/v2/orders", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("KEY_REVOKED");
    expect(keygate.requestsWith(old)).toHaveLength(2);
    expect(keygate.requestsWith(store.value)).toHaveLength(0);
    expect((await client.fetch("/v2/next")).status).toBe(200);
    expect(keygate.requests.at(-1)?.key).toBe(store.value);
  });

  it("returns the 401 untouched when the store has nothing newer, or for other codes", async () => {
    const old = keygate.issue();
    const { client } = makeClient(unwatchedStore(old));
    keygate.key(old).status = "revoked";
    const revoked = await client.fetch("/v2/x");
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { code: string }).code).toBe("KEY_REVOKED");
    expect(keygate.requests).toHaveLength(1);

    const unknown = makeClient(unwatchedStore("kg_test_00000000000000000000000000000000_000000")).client;
    expect((await unknown.fetch("/v2/x")).status).toBe(401);
    expect(keygate.requests).toHaveLength(2);
  });
});

describe("KeygateClient: stores and 429", () => {
  it("switches when a watched store changes, from the next request on", async () => {
    const old = keygate.issue();
    const store = memoryKeyStore(old);
    const { client, events } = makeClient(store);
    await client.fetch("/v2/x");
    const next = keygate.rotate(old);
    store.set(next);
    await waitFor(() => events.rotated.length === 1, 1000, "rotated event");
    expect(events.rotated[0]?.source).toBe("store");
    await client.fetch("/v2/x");
    expect(keygate.requests.at(-1)?.key).toBe(next);
    store.set("garbage");
    await waitFor(() => events.errors.length === 1, 1000, "error event");
    await client.fetch("/v2/x");
    expect(keygate.requests.at(-1)?.key).toBe(next);
  });

  it("retries once after 429 when asked to", async () => {
    const secret = keygate.issue();
    const { client } = makeClient(memoryKeyStore(secret), { retryOn429: true });
    keygate.rateLimitNext = 1;
    const started = Date.now();
    expect((await client.fetch("/v2/x")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(keygate.requests).toHaveLength(2);
    const plain = makeClient(memoryKeyStore(secret)).client;
    keygate.rateLimitNext = 1;
    expect((await plain.fetch("/v2/x")).status).toBe(429);
  });

  it("lets clients sharing one memory store rotate once between them", async () => {
    const old = keygate.issue();
    keygate.deprecate(old, new Date(Date.now() + 60_000));
    keygate.selfRotateDelayMs = 50;
    const store = memoryKeyStore(old);
    const a = makeClient(store);
    const b = makeClient(store);
    await Promise.all([a.client.fetch("/v2/x"), b.client.fetch("/v2/x")]);
    await Promise.all([a.client.idle(), b.client.idle()]);
    expect(keygate.selfRotateCalls).toBe(1);
    expect((await a.client.keyInfo()).hint).toBe((await b.client.keyInfo()).hint);
  });
});
