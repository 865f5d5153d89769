import { GENESIS_HASH, type KeyStore, verifyAuditChain } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { nodeHasher } from "../../platform/node-platform.ts";
import { audit, consumer, consumerWithKey, key, T0, unit } from "./fixtures.ts";
import type { ContractContext } from "./key-store.contract.ts";

async function allAudit(store: KeyStore) {
  return store.listAudit({ limit: 1000 });
}

/** Commits `units` units of two audit entries each, all at once, and returns every seq handed out. */
async function commitInParallel(stores: readonly KeyStore[], units: number): Promise<number[][]> {
  const results = await Promise.all(
    Array.from({ length: units }, (_, i) => {
      const store = stores[i % stores.length] as KeyStore;
      const c = consumer(`con_${String(i).padStart(3, "0")}`);
      return store.commit(
        unit(
          [{ type: "insertConsumer", consumer: c }],
          [audit("consumer.create", c.id, { i }), audit("consumer.note", c.id, { i, second: true })],
        ),
      );
    }),
  );
  return results.map((r) => {
    if (!r.ok) throw new Error(`parallel commit failed: ${r.conflict}`);
    return [...r.auditSeqs];
  });
}

function expectGapFreeChain(entries: Awaited<ReturnType<typeof allAudit>>, seqsPerUnit: number[][]): void {
  const total = seqsPerUnit.flat().length;
  expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(seqsPerUnit.flat().sort((a, b) => a - b)).toEqual(entries.map((e) => e.seq));
  // A unit's entries are appended together: consecutive seqs.
  for (const seqs of seqsPerUnit) expect(seqs[1]).toBe((seqs[0] ?? 0) + 1);
  expect(verifyAuditChain(nodeHasher, entries)).toEqual({
    ok: true,
    entries: total,
    headHash: entries.at(-1)?.hash,
  });
}

export function auditContract(ctx: ContractContext): void {
  describe("audit log", () => {
    it("is empty with no head before the first entry", async () => {
      expect(await allAudit(ctx.store())).toEqual([]);
      expect(await ctx.store().auditHead()).toBeNull();
    });

    it("chains entries in order, round-trips their content, and records the head", async () => {
      const store = ctx.store();
      const data = { nested: { list: [1, "two", { three: null }], flag: false }, text: "Grüße 🗝️ 鍵", n: 1.5 };
      const first = await store.commit(
        unit(
          [],
          [
            audit("a.first", "t1", data),
            { ...audit("a.second", "t2"), actor: { type: "system", id: "job" } },
          ],
        ),
      );
      const second = await store.commit(unit([], [audit("a.third", "t3")]));
      expect(first).toEqual({ ok: true, auditSeqs: [1, 2] });
      expect(second).toEqual({ ok: true, auditSeqs: [3] });
      const entries = await allAudit(store);
      expect(entries.map((e) => [e.seq, e.action])).toEqual([
        [1, "a.first"],
        [2, "a.second"],
        [3, "a.third"],
      ]);
      expect(entries[0]).toMatchObject({
        at: T0,
        actor: { type: "admin", id: "adm_root" },
        targetId: "t1",
        data,
      });
      expect(entries[1]?.actor).toEqual({ type: "system", id: "job" });
      expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
      expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
      expect(entries[2]?.prevHash).toBe(entries[1]?.hash);
      expect(verifyAuditChain(nodeHasher, entries).ok).toBe(true);
      expect(await store.auditHead()).toEqual({ seq: 3, hash: entries[2]?.hash });
    });

    it("keeps an entry verifiable when its data holds values JSON drops", async () => {
      const store = ctx.store();
      await store.commit(unit([], [audit("a", "t", { gone: undefined, kept: 1 })]));
      expect(verifyAuditChain(nodeHasher, await allAudit(store)).ok).toBe(true);
    });

    it("pages by seq: entries after the cursor, at most `limit`", async () => {
      const store = ctx.store();
      await store.commit(
        unit(
          [],
          ["a", "b", "c", "d", "e"].map((x) => audit(x, x)),
        ),
      );
      expect((await store.listAudit({ limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
      expect((await store.listAudit({ after: "2", limit: 2 })).map((e) => e.seq)).toEqual([3, 4]);
      expect((await store.listAudit({ after: "4", limit: 10 })).map((e) => e.seq)).toEqual([5]);
      expect(await store.listAudit({ after: "5", limit: 10 })).toEqual([]);
    });

    it("consumes no seq for a unit that fails", async () => {
      const store = ctx.store();
      const { unit: u } = consumerWithKey(1);
      await store.commit(u);
      const failed = await store.commit(
        unit([{ type: "insertKey", key: key("key_z", "con_missing") }], [audit("key.create", "key_z")]),
      );
      expect(failed.ok).toBe(false);
      expect(await store.commit(unit([], [audit("after", "x")]))).toEqual({ ok: true, auditSeqs: [2] });
      expect(verifyAuditChain(nodeHasher, await allAudit(store)).ok).toBe(true);
    });

    it("never forks under many parallel commits: seqs gap-free, chain verifies", async () => {
      const store = ctx.store();
      const seqs = await commitInParallel([store], 24);
      expectGapFreeChain(await allAudit(store), seqs);
      expect(await store.auditHead()).toEqual({ seq: 48, hash: (await allAudit(store)).at(-1)?.hash });
    });

    it("never forks when two stores on the same data commit in parallel", async ({ skip }) => {
      if (!ctx.openPeer) return skip("the backend has no shared data");
      const store = ctx.store();
      const peer = await ctx.openPeer();
      try {
        const seqs = await commitInParallel([store, peer], 24);
        expectGapFreeChain(await allAudit(store), seqs);
        expect(await peer.auditHead()).toEqual(await store.auditHead());
      } finally {
        await peer.close();
      }
    });
  });
}
