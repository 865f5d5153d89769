import type {
  KeyStore,
  KeyUsageSum,
  OverviewStore,
  PolicyStore,
  UsageCount,
  UsageStore,
  UsageSum,
} from "@keygate/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { consumer, event, key, rotation, T0, unit } from "./fixtures.ts";

/** What the analytics contract needs: one object serving these ports beside `KeyStore`, like every real store. */
export type AnalyticsCapableStore = KeyStore & UsageStore & OverviewStore & PolicyStore;

export interface AnalyticsStoreContractOptions {
  /** Names the suite: `UsageStore, OverviewStore and PolicyStore contract: <name>`. */
  readonly name: string;
  /** A migrated, EMPTY store. Called before every test. */
  readonly create: () => Promise<AnalyticsCapableStore>;
  /** Undoes `create` after every test. Default: `store.close()`. */
  readonly cleanup?: (store: AnalyticsCapableStore) => Promise<void>;
  /** A second store on the same data (another node); omitted for memory, whose peer tests are skipped. */
  readonly openPeer?: () => Promise<AnalyticsCapableStore>;
}

const MIN = 60_000;
const HOUR = 3_600_000;
/** A minute boundary that is also an hour boundary. */
const M0 = Math.floor(T0 / HOUR) * HOUR;

const count = (keyId: string, minute: number, code: string, n: number): UsageCount => ({
  keyId,
  minute,
  code,
  count: n,
});

function sorted<T extends UsageSum>(rows: readonly T[]): T[] {
  const id = (r: T) =>
    `${(r as Partial<KeyUsageSum>).keyId ?? ""}|${String(r.at).padStart(16, "0")}|${r.code}`;
  return [...rows].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}

/** The specification of the analytics ports, run against every backend. */
export function runAnalyticsStoreContract(options: AnalyticsStoreContractOptions): void {
  describe(`UsageStore, OverviewStore and PolicyStore contract: ${options.name}`, () => {
    let current: AnalyticsCapableStore | undefined;
    beforeEach(async () => {
      current = await options.create();
    });
    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store) await (options.cleanup ? options.cleanup(store) : store.close());
    });
    const store = (): AnalyticsCapableStore => {
      if (!current) throw new Error("no store: create() has not run");
      return current;
    };

    describe("usage", () => {
      it("adds counts: batches sum, and a repeated row within one batch counts twice", async () => {
        const s = store();
        await s.addUsage([
          count("key_a", M0, "VALID", 3),
          count("key_a", M0, "VALID", 2),
          count("key_a", M0, "KEY_EXPIRED", 1),
        ]);
        await s.addUsage([count("key_a", M0, "VALID", 4), count("key_b", M0 + MIN, "VALID", 7)]);
        await s.addUsage([]);
        const range = { from: M0, to: M0 + 2 * MIN, bucketMs: MIN };
        expect(sorted(await s.keyUsage(["key_a", "key_b"], range))).toEqual([
          { keyId: "key_a", at: M0, code: "KEY_EXPIRED", count: 1 },
          { keyId: "key_a", at: M0, code: "VALID", count: 9 },
          { keyId: "key_b", at: M0 + MIN, code: "VALID", count: 7 },
        ]);
        expect(await s.keyUsage([], range)).toEqual([]);
        expect(await s.keyUsage(["key_unknown"], range)).toEqual([]);
      });

      it("reads a half-open range and sums minutes into hour and day buckets aligned to the epoch", async () => {
        const s = store();
        await s.addUsage([
          count("key_a", M0 - MIN, "VALID", 1),
          count("key_a", M0, "VALID", 2),
          count("key_a", M0 + 59 * MIN, "VALID", 3),
          count("key_a", M0 + HOUR, "VALID", 4),
          count("key_a", M0 + 2 * HOUR, "VALID", 100),
        ]);
        expect(sorted(await s.keyUsage(["key_a"], { from: M0, to: M0 + 2 * HOUR, bucketMs: HOUR }))).toEqual([
          { keyId: "key_a", at: M0, code: "VALID", count: 5 },
          { keyId: "key_a", at: M0 + HOUR, code: "VALID", count: 4 },
        ]);
        const day = 86_400_000;
        const dayStart = Math.floor(M0 / day) * day;
        const perDay = await s.keyUsage(["key_a"], { from: dayStart, to: dayStart + 2 * day, bucketMs: day });
        expect(perDay.reduce((sum, r) => sum + r.count, 0)).toBe(110);
        expect(perDay.every((r) => r.at % day === 0)).toBe(true);
      });

      it("totals every key, and requests without a key, per bucket and outcome", async () => {
        const s = store();
        await s.addUsage([
          count("key_a", M0, "VALID", 2),
          count("key_b", M0, "VALID", 3),
          count("", M0, "KEY_NOT_FOUND", 5),
          count("key_b", M0 + MIN, "RATE_LIMITED", 1),
        ]);
        expect(sorted(await s.totalUsage({ from: M0, to: M0 + 5 * MIN, bucketMs: MIN }))).toEqual([
          { at: M0, code: "KEY_NOT_FOUND", count: 5 },
          { at: M0, code: "VALID", count: 5 },
          { at: M0 + MIN, code: "RATE_LIMITED", count: 1 },
        ]);
        expect(await s.totalUsage({ from: M0 + 2 * MIN, to: M0 + 5 * MIN, bucketMs: MIN })).toEqual([]);
      });

      it("keeps counts beyond 32 bits", async () => {
        const s = store();
        await s.addUsage([count("key_a", M0, "VALID", 3_000_000_000)]);
        await s.addUsage([count("key_a", M0, "VALID", 3_000_000_000)]);
        expect(await s.keyUsage(["key_a"], { from: M0, to: M0 + MIN, bucketMs: MIN })).toEqual([
          { keyId: "key_a", at: M0, code: "VALID", count: 6_000_000_000 },
        ]);
      });

      it.skipIf(options.openPeer === undefined)(
        "sums batches that two nodes write at the same time into the same rows",
        async () => {
          const openPeer = options.openPeer;
          if (!openPeer) return;
          const peer = await openPeer();
          try {
            const batch = (n: number) => [count("key_a", M0, "VALID", n), count("key_b", M0, "VALID", n)];
            const writes: Promise<void>[] = [];
            for (let i = 0; i < 10; i++) writes.push(store().addUsage(batch(1)), peer.addUsage(batch(10)));
            await Promise.all(writes);
            expect(
              sorted(await peer.keyUsage(["key_a", "key_b"], { from: M0, to: M0 + MIN, bucketMs: MIN })),
            ).toEqual([
              { keyId: "key_a", at: M0, code: "VALID", count: 110 },
              { keyId: "key_b", at: M0, code: "VALID", count: 110 },
            ]);
          } finally {
            await peer.close();
          }
        },
      );
    });

    describe("overview", () => {
      it("counts keys by the status a reader sees now, consumers, and rotations by state", async () => {
        const s = store();
        const c = consumer("con_1");
        const old = key("key_1", c.id, { status: "deprecated", deprecatedAt: T0, sunsetAt: T0 + HOUR });
        const successor = key("key_2", c.id, { lineageId: old.lineageId, version: 2 });
        const result = await s.commit(
          unit([
            { type: "insertConsumer", consumer: c },
            { type: "insertConsumer", consumer: consumer("con_2") },
            { type: "insertKey", key: old },
            { type: "insertKey", key: successor },
            { type: "insertKey", key: key("key_3", c.id, { expiresAt: T0 + 10 }) },
            { type: "insertKey", key: key("key_4", c.id, { status: "revoked", revokedAt: T0 }) },
            { type: "insertKey", key: key("key_5", c.id, { status: "expired" }) },
            { type: "insertRotation", rotation: rotation("rot_1", old, successor) },
          ]),
        );
        expect(result.ok).toBe(true);
        expect(await s.countKeysByStatus(T0)).toEqual({ active: 2, deprecated: 1, expired: 1, revoked: 1 });
        expect(await s.countKeysByStatus(T0 + HOUR)).toEqual({
          active: 1,
          deprecated: 0,
          expired: 3,
          revoked: 1,
        });
        expect(await s.countConsumers()).toBe(2);
        expect(await s.countRotations("overlapping")).toBe(1);
        expect(await s.countRotations("completed")).toBe(0);
      });

      it("starts from zero on an empty store", async () => {
        const s = store();
        expect(await s.countKeysByStatus(T0)).toEqual({ active: 0, deprecated: 0, expired: 0, revoked: 0 });
        expect(await s.countConsumers()).toBe(0);
        expect(await s.listEvents({ types: ["key.leaked"], limit: 10 })).toEqual([]);
      });

      it("lists events of the given types by id, after a cursor, delivered or not", async () => {
        const s = store();
        const alert = (id: string, type: "auth.failure_spike" | "key.deprecated_in_use") => ({
          ...event(id, T0, { n: id }),
          type,
        });
        const committed = await s.commit(
          unit(
            [],
            [],
            [
              event("evt_1"),
              alert("evt_2", "auth.failure_spike"),
              alert("evt_3", "key.deprecated_in_use"),
              event("evt_4"),
              alert("evt_5", "auth.failure_spike"),
            ],
          ),
        );
        expect(committed.ok).toBe(true);
        await s.markOutboxDelivered(["evt_2"], T0 + 1);
        const types = ["auth.failure_spike", "key.deprecated_in_use"] as const;
        expect(await s.listEvents({ types, limit: 10 })).toEqual([
          { id: "evt_2", type: "auth.failure_spike", at: T0, data: { n: "evt_2" } },
          { id: "evt_3", type: "key.deprecated_in_use", at: T0, data: { n: "evt_3" } },
          { id: "evt_5", type: "auth.failure_spike", at: T0, data: { n: "evt_5" } },
        ]);
        expect((await s.listEvents({ types, after: "evt_2", limit: 1 })).map((e) => e.id)).toEqual(["evt_3"]);
        expect((await s.listEvents({ types: ["key.created"], limit: 10 })).map((e) => e.id)).toEqual([
          "evt_1",
          "evt_4",
        ]);
        expect(await s.listEvents({ types: [], limit: 10 })).toEqual([]);
      });
    });

    describe("policy reads", () => {
      it("lists consumers with a rotation policy by id, and active keys past their sunset", async () => {
        const s = store();
        const policy = { maxAgeDays: 90, overlapSeconds: 3600, notifyBeforeDays: 7 };
        const result = await s.commit(
          unit([
            { type: "insertConsumer", consumer: consumer("con_3", { rotationPolicy: policy }) },
            { type: "insertConsumer", consumer: consumer("con_1", { rotationPolicy: policy }) },
            { type: "insertConsumer", consumer: consumer("con_2") },
            { type: "insertKey", key: key("key_1", "con_1", { deprecatedAt: T0, sunsetAt: T0 + 10 }) },
            { type: "insertKey", key: key("key_2", "con_1", { deprecatedAt: T0, sunsetAt: T0 + 20 }) },
            { type: "insertKey", key: key("key_3", "con_1", { deprecatedAt: T0, sunsetAt: T0 + 99 }) },
            { type: "insertKey", key: key("key_4", "con_1") },
            {
              type: "insertKey",
              key: key("key_5", "con_1", { status: "deprecated", deprecatedAt: T0, sunsetAt: T0 }),
            },
            { type: "insertKey", key: key("key_6", "con_1", { status: "expired", sunsetAt: T0 }) },
          ]),
        );
        expect(result.ok).toBe(true);
        const consumers = await s.listConsumersWithPolicy({ limit: 10 });
        expect(consumers.map((c) => c.id)).toEqual(["con_1", "con_3"]);
        expect(consumers[0]?.rotationPolicy).toEqual(policy);
        expect((await s.listConsumersWithPolicy({ after: "con_1", limit: 10 })).map((c) => c.id)).toEqual([
          "con_3",
        ]);
        expect((await s.listActiveKeysPastSunset(T0 + 20, 10)).map((k) => k.id)).toEqual(["key_1", "key_2"]);
        expect((await s.listActiveKeysPastSunset(T0 + 20, 1)).map((k) => k.id)).toEqual(["key_1"]);
        expect(await s.listActiveKeysPastSunset(T0 + 9, 10)).toEqual([]);
      });
    });
  });
}
