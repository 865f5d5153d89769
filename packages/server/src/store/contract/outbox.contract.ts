import type { KeyStore, OutboxEventInput } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { event, T0, unit } from "./fixtures.ts";
import type { ContractContext } from "./key-store.contract.ts";

const LEASE = 30_000;

async function enqueue(store: KeyStore, events: OutboxEventInput[]): Promise<void> {
  const result = await store.commit(unit([], [], events));
  if (!result.ok) throw new Error(result.conflict);
}

const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);

export function outboxContract(ctx: ContractContext): void {
  describe("outbox", () => {
    it("hands out due events in id order with their payload, and leases them", async () => {
      const store = ctx.store();
      const data = { keyId: "key_1", nested: { scopes: ["read"], note: "ünïcode ✓" } };
      await enqueue(store, [
        event("evt_3"),
        event("evt_1", T0, data),
        event("evt_2"),
        event("evt_later", T0 + 45_000),
      ]);
      const claimed = await store.claimOutbox(T0, 10, LEASE);
      expect(ids(claimed)).toEqual(["evt_1", "evt_2", "evt_3"]);
      expect(claimed[0]).toEqual({ id: "evt_1", type: "key.created", at: T0, data, attempts: 0 });
      // Leased: not handed out again while the lease runs…
      expect(await store.claimOutbox(T0 + LEASE - 1, 10, LEASE)).toEqual([]);
      // …and handed out again once it has passed (the claimer may have died).
      expect(ids(await store.claimOutbox(T0 + LEASE, 10, LEASE))).toEqual(["evt_1", "evt_2", "evt_3"]);
      // The re-claimed events are leased until T0 + 2 × LEASE; the later one is due on its own.
      expect(ids(await store.claimOutbox(T0 + 45_000, 10, LEASE))).toEqual(["evt_later"]);
    });

    it("respects the limit", async () => {
      const store = ctx.store();
      await enqueue(
        store,
        ["evt_1", "evt_2", "evt_3"].map((id) => event(id)),
      );
      expect(ids(await store.claimOutbox(T0, 2, LEASE))).toEqual(["evt_1", "evt_2"]);
      expect(ids(await store.claimOutbox(T0, 2, LEASE))).toEqual(["evt_3"]);
      expect(await store.claimOutbox(T0, 0, LEASE)).toEqual([]);
    });

    it("never hands out a delivered event again", async () => {
      const store = ctx.store();
      await enqueue(store, [event("evt_1"), event("evt_2")]);
      await store.claimOutbox(T0, 10, LEASE);
      await store.markOutboxDelivered(["evt_1", "evt_unknown"], T0 + 1);
      await store.markOutboxDelivered([], T0 + 1);
      expect(ids(await store.claimOutbox(T0 + 10 * LEASE, 10, LEASE))).toEqual(["evt_2"]);
    });

    it("counts failed attempts and retries at the given time", async () => {
      const store = ctx.store();
      await enqueue(store, [event("evt_1")]);
      await store.claimOutbox(T0, 10, LEASE);
      await store.markOutboxFailed("evt_1", T0 + 5_000, "HTTP 500 from https://hooks.example/x");
      expect(await store.claimOutbox(T0 + 4_999, 10, LEASE)).toEqual([]);
      const retried = await store.claimOutbox(T0 + 5_000, 10, LEASE);
      expect(retried).toMatchObject([{ id: "evt_1", attempts: 1 }]);
      await store.markOutboxFailed("evt_1", T0 + 6_000, "x".repeat(100_000));
      expect(await store.claimOutbox(T0 + 6_000, 10, LEASE)).toMatchObject([{ id: "evt_1", attempts: 2 }]);
    });

    it("splits the backlog between concurrent claimers", async () => {
      const store = ctx.store();
      await enqueue(
        store,
        Array.from({ length: 30 }, (_, i) => event(`evt_${String(i).padStart(2, "0")}`)),
      );
      const peer = ctx.openPeer ? await ctx.openPeer() : undefined;
      try {
        const claimers = peer ? [store, peer, store, peer] : [store, store, store, store];
        const batches = await Promise.all(claimers.map((s) => s.claimOutbox(T0, 10, LEASE)));
        const all = batches.flatMap(ids);
        expect(new Set(all).size).toBe(all.length);
        expect(all.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `evt_${String(i).padStart(2, "0")}`));
      } finally {
        await peer?.close();
      }
    });
  });
}
