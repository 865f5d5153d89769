import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CounterSnapshotStore } from "@keygate/core";
import { afterAll, describe, expect, it } from "vitest";
import { PersistedCounterStore } from "../../src/limits/persisted-counter-store.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { createKeyStore, type KeygateStore } from "../../src/store/create-key-store.ts";
import { createTestDatabase, requireServiceInCi, skipSuite, type TestDatabase } from "../support/postgres.ts";
import { ManualClock, RecordingLog } from "./support/limits-fixtures.ts";

const T = Date.UTC(2026, 2, 4, 10, 0, 0);

interface Backend {
  readonly name: string;
  open(): Promise<{ store: KeygateStore; reopen(): Promise<KeygateStore> }>;
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

function runSnapshotSuite(backend: Backend): void {
  describe(`CounterSnapshotStore: ${backend.name}`, () => {
    it("upserts snapshots (the last write wins), loads only live ones, and drops expired rows", async () => {
      const { store } = await backend.open();
      const snapshots: CounterSnapshotStore = store;
      await snapshots.saveCounters(
        [
          { key: "con_1:q:month:1", used: 5, expiresAt: T + 1000 },
          { key: "con_1:r:60:2", used: 2, expiresAt: T + 10 },
        ],
        T,
      );
      await snapshots.saveCounters([{ key: "con_1:q:month:1", used: 7, expiresAt: T + 2000 }], T);
      expect(await snapshots.loadCounters(T)).toEqual(
        expect.arrayContaining([
          { key: "con_1:q:month:1", used: 7, expiresAt: T + 2000 },
          { key: "con_1:r:60:2", used: 2, expiresAt: T + 10 },
        ]),
      );
      expect(await snapshots.loadCounters(T + 10)).toEqual([
        { key: "con_1:q:month:1", used: 7, expiresAt: T + 2000 },
      ]);
      await snapshots.saveCounters([], T + 10);
      expect(await snapshots.loadCounters(0)).toHaveLength(1);
    });

    it("writes large batches", async () => {
      const { store } = await backend.open();
      const many = Array.from({ length: 1000 }, (_, i) => ({
        key: `con_${i}:q:day:1`,
        used: i,
        expiresAt: T + 1000,
      }));
      await store.saveCounters(many, T);
      expect(await store.loadCounters(T)).toHaveLength(1000);
    });

    it("keeps a quota across a restart of the node on the same database", async () => {
      const { store, reopen } = await backend.open();
      const clock = new ManualClock(T);
      const counters = new PersistedCounterStore({ snapshots: store, clock, logger: new RecordingLog() });
      await counters.start();
      const draw = { key: "con_1:q:day:1", limit: 3, min: 1, max: 1, share: 1, expiresAt: T + 86_400_000 };
      for (let i = 0; i < 3; i++) expect((await counters.take([draw])).type).toBe("granted");
      await counters.close();
      const again = new PersistedCounterStore({
        snapshots: await reopen(),
        clock,
        logger: new RecordingLog(),
      });
      await again.start();
      expect(await again.take([draw])).toEqual({ type: "refused", index: 0, used: [3] });
      await again.close();
    });
  });
}

runSnapshotSuite({
  name: "memory",
  async open() {
    const store = createKeyStore("memory:", { hasher: nodeHasher });
    return { store, reopen: async () => store };
  },
});

runSnapshotSuite({
  name: "sqlite",
  async open() {
    const dir = mkdtempSync(join(tmpdir(), "keygate-limits-"));
    const url = `sqlite:${join(dir, "keygate.db")}`;
    const opened: KeygateStore[] = [];
    const openStore = async () => {
      const store = createKeyStore(url, { hasher: nodeHasher });
      await store.migrate();
      opened.push(store);
      return store;
    };
    cleanups.push(async () => {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const store = await openStore();
    return {
      store,
      async reopen() {
        await store.close();
        opened.splice(opened.indexOf(store), 1);
        return openStore();
      },
    };
  },
});

const database: TestDatabase | null = await createTestDatabase("limits");
if (database !== null) {
  const db = database;
  let first = true;
  runSnapshotSuite({
    name: "postgres",
    async open() {
      const store = createKeyStore(db.url, { hasher: nodeHasher });
      await store.migrate();
      if (first) {
        first = false;
        cleanups.push(() => db.drop());
      }
      // Each test starts from an empty table: the database is shared by this file's tests.
      await store.saveCounters([], Number.MAX_SAFE_INTEGER);
      const opened = [store];
      cleanups.unshift(async () => {
        for (const s of opened) await s.close();
      });
      return {
        store,
        async reopen() {
          const again = createKeyStore(db.url, { hasher: nodeHasher });
          opened.push(again);
          return again;
        },
      };
    },
  });
} else {
  skipSuite(requireServiceInCi("PostgreSQL"));
}
