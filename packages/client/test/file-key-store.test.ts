import { mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileKeyStore } from "../src/file-key-store.ts";
import { withFileLock } from "../src/file-lock.ts";
import { randomSecret } from "./support/fake-keygate.ts";
import { waitFor } from "./support/wait-for.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "keygate-client-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("fileKeyStore", () => {
  it("creates the directory, writes mode 0600 and leaves no temporary files", async () => {
    const path = join(dir, "nested", "deeper", "key");
    const store = fileKeyStore(path);
    expect(await store.load()).toBeNull();
    const secret = randomSecret();
    expect(await store.save(secret, null)).toBe(true);
    expect(await readFile(path, "utf8")).toBe(`${secret}\n`);
    expect(await store.load()).toBe(secret);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "nested", "deeper"))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, "nested", "deeper"))).toEqual(["key"]);
  });

  it("writes only over the expected previous key (compare-and-swap)", async () => {
    const path = join(dir, "key");
    const store = fileKeyStore(path);
    const first = randomSecret();
    await store.save(first, null);
    expect(await store.save(randomSecret(), randomSecret())).toBe(false);
    expect(await store.save(randomSecret(), null)).toBe(false);
    expect(await store.load()).toBe(first);
    const second = randomSecret();
    expect(await store.save(second, first)).toBe(true);
    expect(await store.load()).toBe(second);
  });

  it("never lets a concurrent reader see a partial or empty key", async () => {
    const path = join(dir, "key");
    const store = fileKeyStore(path);
    const written = new Set<string>();
    let previous: string | null = null;
    let writing = true;
    const seen: (string | null)[] = [];
    const reader = (async () => {
      while (writing) seen.push(await store.load());
    })();
    for (let i = 0; i < 200; i++) {
      const next = randomSecret();
      written.add(next);
      expect(await store.save(next, previous)).toBe(true);
      previous = next;
    }
    writing = false;
    await reader;
    const reads = seen.filter((value) => value !== null);
    expect(reads.length).toBeGreaterThan(50);
    for (const value of reads) expect(written.has(value)).toBe(true);
    // Nulls only before the first write landed.
    const firstNonNull = seen.findIndex((value) => value !== null);
    expect(seen.slice(firstNonNull).includes(null)).toBe(false);
  });

  it("notices a key an operator drops in, by rename or by plain overwrite", async () => {
    const path = join(dir, "key");
    const store = fileKeyStore(path, { pollIntervalMs: 5000 });
    await store.save(randomSecret(), null);
    let changes = 0;
    const stop = store.watch(() => {
      changes += 1;
    });
    try {
      const renamed = randomSecret();
      await writeFile(join(dir, "incoming"), renamed);
      await rename(join(dir, "incoming"), path);
      await waitFor(() => changes > 0, 2000, "a change after rename");
      expect(await store.load()).toBe(renamed);

      const before = changes;
      const overwritten = randomSecret();
      await writeFile(path, `${overwritten}\n`);
      await waitFor(() => changes > before, 2000, "a change after overwrite");
      expect(await store.load()).toBe(overwritten);

      const quiet = changes;
      await writeFile(join(dir, "unrelated"), "x");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(changes).toBe(quiet);
    } finally {
      stop();
    }
  });
});

describe("withFileLock", () => {
  it("lets one holder in at a time", async () => {
    const lock = join(dir, "key.lock");
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        withFileLock(lock, async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push(i);
          inside -= 1;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("takes over a lock left by a dead holder", async () => {
    const lock = join(dir, "key.lock");
    await writeFile(lock, "99999:dead");
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const result = await withFileLock(lock, async () => "got it", { staleMs: 1000, timeoutMs: 2000 });
    expect(result).toBe("got it");
    expect(await readdir(dir)).toEqual([]);
  });

  it("waits for a live holder and times out instead of breaking it", async () => {
    const lock = join(dir, "key.lock");
    await writeFile(lock, "someone-else");
    await expect(
      withFileLock(lock, async () => "no", { staleMs: 5000, timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: "LOCK_TIMEOUT",
    });
    expect(await readFile(lock, "utf8")).toBe("someone-else");
  });

  it("keeps a long-running holder's lock fresh so waiters do not break it", async () => {
    const lock = join(dir, "key.lock");
    const staleMs = 200;
    let inside = 0;
    let maxInside = 0;
    const hold = (ms: number) =>
      withFileLock(
        lock,
        async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await new Promise((resolve) => setTimeout(resolve, ms));
          inside -= 1;
        },
        { staleMs, timeoutMs: 5000 },
      );
    const long = hold(staleMs * 4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([long, hold(10), hold(10)]);
    expect(maxInside).toBe(1);
  });
});

describe("KeygateClient on a file store", () => {
  it("uses a key an operator drops into the file from the next request, without a restart", async () => {
    const { FakeKeygate } = await import("./support/fake-keygate.ts");
    const { KeygateClient } = await import("../src/keygate-client.ts");
    const keygate = new FakeKeygate();
    const baseUrl = await keygate.start();
    const path = join(dir, "key");
    const old = keygate.issue();
    await writeFile(path, old);
    const client = new KeygateClient({ baseUrl, store: fileKeyStore(path) });
    const sources: string[] = [];
    client.on("rotated", (event) => sources.push(event.source));
    try {
      await client.fetch("/v2/x");
      const next = keygate.rotate(old, 0); // emergency rollover done by the operator
      await writeFile(join(dir, "incoming"), `${next}\n`);
      await rename(join(dir, "incoming"), path);
      await waitFor(() => sources.length === 1, 3000, "the client to pick up the new file");
      expect((await client.fetch("/v2/x")).status).toBe(200);
      expect(keygate.requests.at(-1)?.key).toBe(next);
      expect(keygate.requestsWith(old)).toHaveLength(1);
      expect(sources).toEqual(["store"]);
    } finally {
      client.close();
      await keygate.close();
    }
  });
});
