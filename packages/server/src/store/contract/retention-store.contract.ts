import type {
  KeyStore,
  NewDelivery,
  RetentionStore,
  StoreStatsSource,
  UsageCount,
  UsageStore,
  UsageSum,
  Webhook,
  WebhookStore,
} from "@keygate/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { T0, unit } from "./fixtures.ts";

/** What the retention contract needs: one object serving these ports beside `KeyStore`, like every real store. */
export type RetentionCapableStore = KeyStore & UsageStore & WebhookStore & RetentionStore & StoreStatsSource;

export interface RetentionStoreContractOptions {
  /** Names the suite: `RetentionStore contract: <name>`. */
  readonly name: string;
  /** A migrated, EMPTY store. Called before every test. */
  readonly create: () => Promise<RetentionCapableStore>;
  /** Undoes `create` after every test. Default: `store.close()`. */
  readonly cleanup?: (store: RetentionCapableStore) => Promise<void>;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** A day boundary (UTC midnight) near the fixtures' clock. */
const D0 = Math.floor(T0 / DAY) * DAY;

const count = (keyId: string, minute: number, code: string, n: number): UsageCount => ({
  keyId,
  minute,
  code,
  count: n,
});

const total = (sums: readonly UsageSum[]) => sums.reduce((sum, s) => sum + s.count, 0);
const byCode = (sums: readonly UsageSum[]) => {
  const out: Record<string, number> = {};
  for (const s of sums) out[s.code] = (out[s.code] ?? 0) + s.count;
  return out;
};

/** The specification of `RetentionStore` (and the usage reads across roll-ups), run against every backend. */
export function runRetentionStoreContract(options: RetentionStoreContractOptions): void {
  describe(`RetentionStore contract: ${options.name}`, () => {
    let current: RetentionCapableStore | undefined;
    beforeEach(async () => {
      current = await options.create();
    });
    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store) await (options.cleanup ? options.cleanup(store) : store.close());
    });
    const store = (): RetentionCapableStore => {
      if (!current) throw new Error("no store: create() has not run");
      return current;
    };

    it("rolls minutes before the cut-off into their hours: same sums, minute rows gone, second run a no-op", async () => {
      const s = store();
      await s.addUsage([
        count("key_a", D0 + 5 * MIN, "VALID", 3),
        count("key_a", D0 + 59 * MIN, "VALID", 4),
        count("key_a", D0 + 59 * MIN, "RATE_LIMITED", 1),
        count("key_a", D0 + HOUR + 1 * MIN, "VALID", 10),
        count("key_b", D0 + 30 * MIN, "VALID", 2),
        count("", D0 + 30 * MIN, "KEY_NOT_FOUND", 6),
        count("key_a", D0 + 2 * HOUR, "VALID", 100), // at the cut-off: stays a minute
      ]);
      const day = { from: D0, to: D0 + DAY, bucketMs: DAY };
      const hours = { from: D0, to: D0 + DAY, bucketMs: HOUR };
      const before = { day: await s.totalUsage(day), hours: await s.keyUsage(["key_a"], hours) };

      expect(await s.rollUpUsageMinutes(D0 + 2 * HOUR, 1000)).toBe(6);
      expect(await s.rollUpUsageMinutes(D0 + 2 * HOUR, 1000)).toBe(0);

      expect(byCode(await s.totalUsage(day))).toEqual(byCode(before.day));
      expect(total(await s.totalUsage(day))).toBe(126);
      const hourly = await s.keyUsage(["key_a"], hours);
      expect(hourly.sort((a, b) => a.at - b.at || (a.code < b.code ? -1 : 1))).toEqual(
        before.hours.sort((a, b) => a.at - b.at || (a.code < b.code ? -1 : 1)),
      );
      // Minute granularity: a rolled-up hour's requests land in its first minute; later minutes stay put.
      const minutes = await s.keyUsage(["key_a"], { from: D0, to: D0 + 3 * HOUR, bucketMs: MIN });
      const at = (t: number, code: string) =>
        minutes.filter((m) => m.at === t && m.code === code).reduce((sum, m) => sum + m.count, 0);
      expect(at(D0, "VALID")).toBe(7);
      expect(at(D0, "RATE_LIMITED")).toBe(1);
      expect(at(D0 + 59 * MIN, "VALID")).toBe(0);
      expect(at(D0 + HOUR, "VALID")).toBe(10);
      expect(at(D0 + 2 * HOUR, "VALID")).toBe(100);
      const stats = await s.storeStats();
      const rows = (table: string) => stats.tables.find((t) => t.table === table)?.rows;
      expect(rows("usage_minutes")).toBe(1);
      // key_a VALID at D0 and D0+1h, key_a RATE_LIMITED, key_b, and the keyless row.
      expect(rows("usage_hours")).toBe(5);
    });

    it("moves at most `limit` rows per call, oldest first, until nothing is left", async () => {
      const s = store();
      await s.addUsage(
        Array.from({ length: 25 }, (_, i) => count(`key_${i % 5}`, D0 + i * MIN, "VALID", i + 1)),
      );
      const range = { from: D0, to: D0 + DAY, bucketMs: DAY };
      const calls: number[] = [];
      for (let n = -1; n !== 0; ) {
        n = await s.rollUpUsageMinutes(D0 + DAY, 10);
        calls.push(n);
        // Every intermediate state sums to the same total: no request is ever missing or doubled.
        expect(total(await s.totalUsage(range))).toBe((25 * 26) / 2);
      }
      expect(calls).toEqual([10, 10, 5, 0]);
    });

    it("takes the oldest rows first", async () => {
      const s = store();
      await s.addUsage(
        Array.from({ length: 25 }, (_, i) => count("key_a", D0 + (24 - i) * MIN, "VALID", 25 - i)),
      );
      expect(await s.rollUpUsageMinutes(D0 + DAY, 10)).toBe(10);
      const minutes = await s.keyUsage(["key_a"], { from: D0, to: D0 + HOUR, bucketMs: MIN });
      // Minutes 0–9 (counts 1–10) are now the hour's row, shown at its first minute; 10–24 are untouched.
      expect(minutes.filter((m) => m.at === D0)).toEqual([
        { keyId: "key_a", at: D0, code: "VALID", count: 55 },
      ]);
      expect(
        minutes
          .filter((m) => m.at !== D0)
          .map((m) => m.at)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 15 }, (_, i) => D0 + (i + 10) * MIN));
    });

    it("adds to an hour that already holds a roll-up, when late minutes arrive for it", async () => {
      const s = store();
      await s.addUsage([count("key_a", D0 + MIN, "VALID", 5)]);
      await s.rollUpUsageMinutes(D0 + HOUR, 100);
      await s.addUsage([count("key_a", D0 + 2 * MIN, "VALID", 7)]);
      expect(await s.rollUpUsageMinutes(D0 + HOUR, 100)).toBe(1);
      expect(await s.keyUsage(["key_a"], { from: D0, to: D0 + HOUR, bucketMs: HOUR })).toEqual([
        { keyId: "key_a", at: D0, code: "VALID", count: 12 },
      ]);
    });

    it("rolls hours before the cut-off into their days, kept with the same sums", async () => {
      const s = store();
      await s.addUsage([
        count("key_a", D0 + 1 * HOUR, "VALID", 1),
        count("key_a", D0 + 23 * HOUR + 59 * MIN, "VALID", 2),
        count("key_a", D0 + DAY + 3 * HOUR, "VALID", 4),
        count("key_a", D0 + 2 * DAY, "QUOTA_EXCEEDED", 8),
      ]);
      expect(await s.rollUpUsageMinutes(D0 + 3 * DAY, 100)).toBe(4);
      expect(await s.rollUpUsageHours(D0 + 2 * DAY, 100)).toBe(3);
      expect(await s.rollUpUsageHours(D0 + 2 * DAY, 100)).toBe(0);
      const days = await s.keyUsage(["key_a"], { from: D0, to: D0 + 3 * DAY, bucketMs: DAY });
      expect(days.sort((a, b) => a.at - b.at)).toEqual([
        { keyId: "key_a", at: D0, code: "VALID", count: 3 },
        { keyId: "key_a", at: D0 + DAY, code: "VALID", count: 4 },
        { keyId: "key_a", at: D0 + 2 * DAY, code: "QUOTA_EXCEEDED", count: 8 },
      ]);
      // A range that starts after a day's start leaves that day's roll-up out (rows count by their start).
      const later = await s.totalUsage({ from: D0 + HOUR, to: D0 + 3 * DAY, bucketMs: HOUR });
      expect(total(later)).toBe(4 + 8);
    });

    it("prunes finished deliveries last attempted before the cut-off, with their attempts; never pending ones", async () => {
      const s = store();
      const hook: Webhook = {
        id: "wh_retention",
        url: "https://hooks.example.com/r",
        events: ["key.created"],
        description: null,
        createdAt: T0,
        disabled: false,
        deletedAt: null,
        secretRotatedAt: null,
        revision: 0,
      };
      const inserted = await s.commit(
        unit([
          {
            type: "insertWebhook",
            webhook: hook,
            secrets: { current: "whsec_cmV0ZW50aW9u", previous: null, previousExpiresAt: null },
          },
        ]),
      );
      expect(inserted.ok).toBe(true);
      const delivery = (id: string): NewDelivery => ({
        id,
        webhookId: hook.id,
        eventId: `evt_${id}`,
        eventType: "key.created",
        payload: "{}",
        createdAt: T0,
      });
      await s.fanOut(
        [delivery("dlv_old_ok"), delivery("dlv_old_failed"), delivery("dlv_new_ok"), delivery("dlv_pending")],
        [],
        T0,
      );
      const attempt = async (id: string, at: number, status: "delivered" | "failed" | "retry") => {
        const recorded = await s.recordAttempt({
          deliveryId: id,
          expectAttempts: 0,
          at,
          durationMs: 5,
          responseStatus: status === "delivered" ? 200 : 500,
          error: status === "delivered" ? null : "HTTP 500",
          status,
          nextAttemptAt: status === "retry" ? at + 60_000 : null,
        });
        expect(recorded).toBe(true);
      };
      await attempt("dlv_old_ok", T0 + MIN, "delivered");
      await attempt("dlv_old_failed", T0 + 2 * MIN, "failed");
      await attempt("dlv_new_ok", T0 + 2 * DAY, "delivered");
      await attempt("dlv_pending", T0 + MIN, "retry");

      expect(await s.pruneWebhookDeliveries(T0 + DAY, 1)).toBe(1);
      expect(await s.pruneWebhookDeliveries(T0 + DAY, 10)).toBe(1);
      expect(await s.pruneWebhookDeliveries(T0 + DAY, 10)).toBe(0);
      expect(await s.getDelivery("dlv_old_ok")).toBeNull();
      expect(await s.getDelivery("dlv_old_failed")).toBeNull();
      expect(await s.listAttempts("dlv_old_ok")).toEqual([]);
      expect((await s.getDelivery("dlv_new_ok"))?.status).toBe("delivered");
      expect((await s.getDelivery("dlv_pending"))?.status).toBe("pending");
      expect(await s.listAttempts("dlv_pending")).toHaveLength(1);
      const stats = await s.storeStats();
      expect(stats.tables.find((t) => t.table === "webhook_deliveries")?.rows).toBe(2);
      expect(stats.tables.find((t) => t.table === "webhook_attempts")?.rows).toBe(2);
    });
  });
}
