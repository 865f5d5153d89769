import { type CounterDraw, type CounterStore, leaseGrant } from "@keygate/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

export interface CounterStoreBackend {
  readonly name: string;
  /** A fresh store whose counters no other test sees; `now` is what the store's clock reads. */
  create(now: () => number): Promise<CounterStore>;
  /** Resolves once the store sees `at` as past: the test clock moved (memory) or real time passed (Redis). */
  expire?(at: number): Promise<void>;
}

const T = Date.now();
const draw = (key: string, over: Partial<CounterDraw> = {}): CounterDraw => ({
  key,
  limit: 10,
  min: 1,
  max: 1,
  share: 1,
  expiresAt: T + 600_000,
  ...over,
});

/**
 * The `CounterStore` contract, written once and run on every backend
 * (memory, Redis). A backend is supported only when it passes.
 */
export function runCounterStoreContract(backend: CounterStoreBackend): void {
  describe(`CounterStore contract: ${backend.name}`, () => {
    let store: CounterStore;
    let now = T;
    beforeEach(async () => {
      now = T;
      store = await backend.create(() => now);
    });
    afterEach(async () => {
      await store.close();
    });

    it("grants until the limit, then refuses without changing anything", async () => {
      for (let i = 1; i <= 10; i++) {
        expect(await store.take([draw("c:r")])).toEqual({
          type: "granted",
          grants: [{ granted: 1, used: i }],
        });
      }
      expect(await store.take([draw("c:r")])).toEqual({ type: "refused", index: 0, used: [10] });
      expect(await store.read(["c:r"])).toEqual([10]);
    });

    it("sizes leases like leaseGrant: large far from the limit, the minimum near it", async () => {
      const request = { min: 1, max: 50, share: 4 };
      const seen: number[] = [];
      let used = 0;
      for (;;) {
        const result = await store.take([draw("c:lease", { limit: 100, ...request })]);
        if (result.type === "refused") break;
        const grant = result.grants[0];
        expect(grant?.granted).toBe(leaseGrant(100 - used, request));
        used += grant?.granted ?? 0;
        expect(grant?.used).toBe(used);
        seen.push(grant?.granted ?? 0);
      }
      expect(used).toBe(100);
      expect(seen[0]).toBe(25);
      expect(seen.at(-1)).toBe(1);
    });

    it("grants a cost above the lease ceiling, and never more than what is left", async () => {
      expect(await store.take([draw("c:big", { min: 7, max: 2 })])).toMatchObject({
        type: "granted",
        grants: [{ granted: 7, used: 7 }],
      });
      expect(await store.take([draw("c:big", { min: 4 })])).toMatchObject({ type: "refused", used: [7] });
      expect(await store.take([draw("c:big", { min: 1, max: 100, share: 1 })])).toMatchObject({
        grants: [{ granted: 3, used: 10 }],
      });
    });

    it("takes from several counters all or nothing, reporting the first that refuses", async () => {
      await store.take([draw("c:q", { min: 9, max: 9 })]);
      const refused = await store.take([draw("c:q", { min: 2 }), draw("c:r2", { min: 2 })]);
      expect(refused).toEqual({ type: "refused", index: 0, used: [9, 0] });
      expect(await store.read(["c:q", "c:r2"])).toEqual([9, 0]);
      const second = await store.take([draw("c:r2", { limit: 1 }), draw("c:q", { min: 1 })]);
      expect(second).toEqual({
        type: "granted",
        grants: [
          { granted: 1, used: 1 },
          { granted: 1, used: 10 },
        ],
      });
      expect(await store.take([draw("c:q"), draw("c:r2", { limit: 1 })])).toMatchObject({ index: 0 });
    });

    it("never grants more than the limit to concurrent takers", async () => {
      const takes = await Promise.all(
        Array.from({ length: 60 }, () => store.take([draw("c:race", { limit: 25, max: 3, share: 2 })])),
      );
      const granted = takes.reduce(
        (sum, t) => sum + (t.type === "granted" ? (t.grants[0]?.granted ?? 0) : 0),
        0,
      );
      expect(granted).toBe(25);
      expect(await store.read(["c:race"])).toEqual([25]);
    });

    it("takes released units back, never below zero, and leaves unknown counters alone", async () => {
      await store.take([draw("c:rel", { max: 10, share: 1 })]);
      await store.release([{ key: "c:rel", units: 4 }]);
      expect(await store.read(["c:rel"])).toEqual([6]);
      await store.release([
        { key: "c:rel", units: 100 },
        { key: "c:none", units: 3 },
      ]);
      expect(await store.read(["c:rel", "c:none"])).toEqual([0, 0]);
      expect(await store.take([draw("c:rel", { max: 10, share: 1 })])).toMatchObject({
        grants: [{ granted: 10, used: 10 }],
      });
    });

    it("adds units unconditionally, past the limit, so later takes are refused", async () => {
      await store.add([
        { key: "c:add", units: 12, expiresAt: T + 600_000 },
        { key: "c:add2", units: 1, expiresAt: T + 600_000 },
      ]);
      expect(await store.read(["c:add", "c:add2"])).toEqual([12, 1]);
      expect(await store.take([draw("c:add")])).toMatchObject({ type: "refused", used: [12] });
    });

    it("reads 0 for counters it never saw", async () => {
      expect(await store.read([])).toEqual([]);
      expect(await store.read(["c:nothing"])).toEqual([0]);
    });

    it("answers ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    if (backend.expire !== undefined) {
      const expire = backend.expire;
      it("forgets a counter after its expiry", async () => {
        const expiresAt = Date.now() + 1500;
        await store.take([draw("c:exp", { max: 10, share: 1, expiresAt })]);
        expect(await store.read(["c:exp"])).toEqual([10]);
        now = expiresAt + 100;
        await expire(now);
        expect(await store.read(["c:exp"])).toEqual([0]);
        expect(await store.take([draw("c:exp", { expiresAt: now + 60_000 })])).toMatchObject({
          grants: [{ granted: 1, used: 1 }],
        });
      });
    }
  });
}
