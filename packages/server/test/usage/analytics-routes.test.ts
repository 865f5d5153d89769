import type { UsageCount } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyticsStoreOf } from "../../src/usage/analytics-store-of.ts";
import {
  createHarness,
  type Harness,
  memoryBackend,
  type StoreBackend,
  sqliteBackend,
} from "../admin/support/admin-harness.ts";
import { expectDeclared, expectProblem } from "../admin/support/declared.ts";

const MIN = 60_000;
/** The harness clock starts at 2026-01-01T00:00:00Z; these tests run 30.5 minutes later. */
const START = Date.parse("2026-01-01T00:00:00.000Z");

interface Series {
  keyId: string;
  granularity: string;
  from: string;
  to: string;
  series: Array<{ at: string; total: number; outcomes: Record<string, number> }>;
}
interface Traffic {
  keyId: string;
  lastUsedAt: string | null;
  requestsLast15m: number;
  perMinute: Array<{ at: string; total: number }>;
}
interface RotationDetail {
  id: string;
  state: string;
  traffic: { old: Traffic; new: Traffic; progress: number | null };
}

describe.each<StoreBackend>([memoryBackend, sqliteBackend])(
  "usage, traffic and stats endpoints ($name store)",
  (backend) => {
    let h: Harness;
    let keyId: string;
    let consumerId: string;

    const add = (counts: UsageCount[]) => analyticsStoreOf(h.store).addUsage(counts);
    const at = (minutes: number) => START + minutes * MIN;

    beforeAll(async () => {
      h = await createHarness({ backend });
      h.clock.advance(30 * MIN + 30_000);
      const consumer = await h.call({ method: "POST", url: "/v1/consumers", body: { name: "Acme" } });
      consumerId = (JSON.parse(consumer.body) as { id: string }).id;
      const created = await h.call({
        method: "POST",
        url: `/v1/consumers/${consumerId}/keys`,
        body: { name: "App" },
      });
      keyId = (JSON.parse(created.body) as { key: { id: string } }).key.id;
    });
    afterAll(async () => {
      await h.close();
    });

    it("GET /v1/keys/{id}/usage: the last 60 minutes by default, every minute present, outcomes by code", async () => {
      await add([
        { keyId, minute: at(30), code: "VALID", count: 10 },
        { keyId, minute: at(30), code: "RATE_LIMITED", count: 2 },
        { keyId, minute: at(5), code: "VALID", count: 1 },
        { keyId: "key_other", minute: at(30), code: "VALID", count: 99 },
      ]);
      const body = expectDeclared<Series>(
        await h.call({ method: "GET", url: `/v1/keys/${keyId}/usage` }),
        "getKeyUsage",
        200,
      );
      expect(body).toMatchObject({ keyId, granularity: "minute", to: new Date(at(31)).toISOString() });
      expect(body.from).toBe(new Date(at(-29)).toISOString());
      expect(body.series).toHaveLength(60);
      expect(body.series.at(-1)).toEqual({
        at: new Date(at(30)).toISOString(),
        total: 12,
        outcomes: { VALID: 10, RATE_LIMITED: 2 },
      });
      expect(body.series.find((p) => p.at === new Date(at(5)).toISOString())?.total).toBe(1);
      expect(body.series.filter((p) => p.total === 0)).toHaveLength(58);
      expect(body.series[0]).toEqual({ at: body.from, total: 0, outcomes: {} });
    });

    it("aligns a given range to whole buckets and sums by hour or day", async () => {
      const hourly = expectDeclared<Series>(
        await h.call({
          method: "GET",
          url: `/v1/keys/${keyId}/usage?granularity=hour&from=2025-12-31T22:10:00Z&to=2026-01-01T00:20:00Z`,
        }),
        "getKeyUsage",
        200,
      );
      expect(hourly.from).toBe("2025-12-31T22:00:00.000Z");
      expect(hourly.to).toBe("2026-01-01T01:00:00.000Z");
      expect(hourly.series.map((p) => p.total)).toEqual([0, 0, 13]);
      const daily = expectDeclared<Series>(
        await h.call({ method: "GET", url: `/v1/keys/${keyId}/usage?granularity=day` }),
        "getKeyUsage",
        200,
      );
      expect(daily.series).toHaveLength(60);
      expect(daily.series.at(-1)).toMatchObject({ at: "2026-01-01T00:00:00.000Z", total: 13 });
    });

    it("refuses more than 1,440 buckets, an empty range, bad values, and an unknown key", async () => {
      const too = expectProblem(
        await h.call({
          method: "GET",
          url: `/v1/keys/${keyId}/usage?from=2025-12-30T00:00:00Z&to=2026-01-01T00:01:00Z`,
        }),
        400,
        "VALIDATION_FAILED",
      );
      expect(too.errors?.[0]?.path).toBe("/query/from");
      expectProblem(
        await h.call({
          method: "GET",
          url: `/v1/keys/${keyId}/usage?from=2026-01-01T00:10:00Z&to=2026-01-01T00:10:00Z`,
        }),
        400,
        "VALIDATION_FAILED",
      );
      const bad = expectProblem(
        await h.call({ method: "GET", url: `/v1/keys/${keyId}/usage?granularity=week&from=yesterday` }),
        400,
        "VALIDATION_FAILED",
      );
      expect(bad.errors?.map((e) => e.path).sort()).toEqual(["/query/from", "/query/granularity"]);
      expectProblem(
        await h.call({ method: "GET", url: "/v1/keys/key_0V70MWDgEjExtokM1T5ObJ/usage" }),
        404,
        "NOT_FOUND",
      );
    });

    it("GET /v1/rotations/{id}: traffic on the old and new keys, and the share on the new one", async () => {
      const rotated = await h.call({
        method: "POST",
        url: `/v1/keys/${keyId}/rotate`,
        body: { overlapSeconds: 3600 },
      });
      const { rotation } = JSON.parse(rotated.body) as { rotation: { id: string; newKeyId: string } };
      const before = expectDeclared<RotationDetail>(
        await h.call({ method: "GET", url: `/v1/rotations/${rotation.id}` }),
        "getRotation",
        200,
      );
      expect(before.traffic.new).toMatchObject({
        keyId: rotation.newKeyId,
        lastUsedAt: null,
        requestsLast15m: 0,
      });
      expect(before.traffic.old.perMinute).toHaveLength(30);
      await add([
        { keyId: rotation.newKeyId, minute: at(29), code: "VALID", count: 30 },
        { keyId, minute: at(10), code: "VALID", count: 1000 }, // older than 15 minutes: not in the share
      ]);
      await h.store.recordKeyUsage([{ keyId: rotation.newKeyId, lastUsedAt: at(29) + 5_000 }]);
      const after = expectDeclared<RotationDetail>(
        await h.call({ method: "GET", url: `/v1/rotations/${rotation.id}` }),
        "getRotation",
        200,
      );
      expect(after.traffic.old.requestsLast15m).toBe(12);
      expect(after.traffic.new.requestsLast15m).toBe(30);
      expect(after.traffic.progress).toBeCloseTo(30 / 42);
      expect(after.traffic.new.lastUsedAt).toBe(new Date(at(29) + 5_000).toISOString());
      expect(after.traffic.old.perMinute.at(-1)).toEqual({ at: new Date(at(30)).toISOString(), total: 12 });
      expect(after.traffic.old.perMinute[0]?.at).toBe(new Date(at(1)).toISOString());
      expect(after.traffic.old.perMinute.find((p) => p.at === new Date(at(10)).toISOString())?.total).toBe(
        1000,
      );
    });

    it("GET /v1/stats: keys by status, consumers, open rotations and requests per minute, valid and failed", async () => {
      await add([{ keyId: "", minute: at(30), code: "KEY_NOT_FOUND", count: 4 }]);
      const stats = expectDeclared<{
        keys: Record<string, number>;
        consumers: number;
        rotationsInProgress: number;
        requestsPerMinute: Array<{ at: string; total: number; valid: number; failed: number }>;
      }>(await h.call({ method: "GET", url: "/v1/stats" }), "getStats", 200);
      expect(stats.keys).toEqual({ active: 1, deprecated: 1, expired: 0, revoked: 0 });
      expect(stats.consumers).toBe(1);
      expect(stats.rotationsInProgress).toBe(1);
      expect(stats.requestsPerMinute).toHaveLength(60);
      expect(stats.requestsPerMinute.at(-1)).toEqual({
        at: new Date(at(30)).toISOString(),
        total: 10 + 2 + 99 + 4,
        valid: 109,
        failed: 6,
      });
    });

    it("answers with a read token too, and never without one", async () => {
      for (const url of ["/v1/stats", "/v1/alerts", `/v1/keys/${keyId}/usage`]) {
        expect((await h.call({ method: "GET", url, token: h.readToken })).statusCode).toBe(200);
        expectProblem(await h.call({ method: "GET", url, token: null }), 401, "UNAUTHENTICATED");
      }
      expect(consumerId).toMatch(/^con_/);
    });
  },
);
