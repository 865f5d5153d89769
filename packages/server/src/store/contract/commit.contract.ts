import type { KeyStore, UnitOfWork, Write } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { adminToken, audit, consumer, consumerWithKey, event, key, rotation, T0, unit } from "./fixtures.ts";
import type { ContractContext } from "./key-store.contract.ts";

async function commitOk(store: KeyStore, u: UnitOfWork): Promise<readonly number[]> {
  const result = await store.commit(u);
  if (!result.ok) throw new Error(`expected commit to succeed: ${result.conflict}`);
  return result.auditSeqs;
}

async function expectConflict(store: KeyStore, u: UnitOfWork): Promise<void> {
  const result = await store.commit(u);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.conflict).toEqual(expect.any(String));
}

/** Asserts that a failed unit left no trace: no rows, no audit entry, no outbox event. */
async function expectUntouched(store: KeyStore, ids: { consumer?: string; key?: string }): Promise<void> {
  if (ids.consumer) expect(await store.getConsumer(ids.consumer)).toBeNull();
  if (ids.key) expect(await store.getKey(ids.key)).toBeNull();
  expect(await store.listAudit({ limit: 1000 })).toEqual([]);
  expect(await store.auditHead()).toBeNull();
  expect(await store.claimOutbox(Number.MAX_SAFE_INTEGER, 100, 1000)).toEqual([]);
}

export function commitContract(ctx: ContractContext): void {
  describe("commit", () => {
    it("applies writes, audit entries and outbox events together", async () => {
      const store = ctx.store();
      const { consumer: c, key: k, unit: u } = consumerWithKey(1);
      expect(await commitOk(store, u)).toEqual([1]);
      expect(await store.getConsumer(c.id)).toEqual(c);
      expect(await store.getKey(k.id)).toEqual(k);
      expect((await store.listAudit({ limit: 10 })).map((e) => e.action)).toEqual(["key.create"]);
      expect((await store.claimOutbox(T0, 10, 1000)).map((e) => e.id)).toEqual(["evt_0001"]);
    });

    it("stores a new key at revision 0 whatever revision it is given", async () => {
      const store = ctx.store();
      const c = consumer("con_a");
      const k = key("key_a", c.id, { revision: 7 });
      await commitOk(
        store,
        unit([
          { type: "insertConsumer", consumer: c },
          { type: "insertKey", key: k },
        ]),
      );
      expect((await store.getKey(k.id))?.revision).toBe(0);
    });

    it("applies nothing when the third write fails its guard: no rows, no audit entry, no event", async () => {
      const store = ctx.store();
      const c = consumer("con_a");
      const k = key("key_a", c.id);
      const result = await store.commit(
        unit(
          [
            { type: "insertConsumer", consumer: c },
            { type: "insertKey", key: k },
            { type: "updateKey", key: { ...k, status: "revoked" }, expectRevision: 5 },
          ],
          [audit("consumer.create", c.id), audit("key.create", k.id)],
          [event("evt_a")],
        ),
      );
      expect(result.ok).toBe(false);
      await expectUntouched(store, { consumer: c.id, key: k.id });
    });

    it("revokes many keys in one write (1,200: several statements), each guarded by its revision", async () => {
      const store = ctx.store();
      const c = consumer("con_a");
      const keys = Array.from({ length: 1200 }, (_, i) => key(`key_${String(i).padStart(4, "0")}`, c.id));
      await commitOk(
        store,
        unit([
          { type: "insertConsumer", consumer: c },
          ...keys.map((k) => ({ type: "insertKey" as const, key: k })),
        ]),
      );
      const untouched = key("key_other", c.id, { name: "kept" });
      await commitOk(store, unit([{ type: "insertKey", key: untouched }]));
      const guards = keys.map((k) => ({ id: k.id, expectRevision: 0 }));
      await commitOk(
        store,
        unit([{ type: "revokeKeys", keys: guards, revokedAt: T0 + 5, reason: "incident" }]),
      );
      for (const k of [keys[0], keys[599], keys[1199]]) {
        expect(await store.getKey(k?.id ?? "")).toEqual({
          ...k,
          status: "revoked",
          revokedAt: T0 + 5,
          revokedReason: "incident",
          revision: 1,
        });
      }
      expect(await store.getKey(untouched.id)).toEqual(untouched);
    });

    it("applies nothing of a mass revocation when one key's revision moved (the last of 700)", async () => {
      const store = ctx.store();
      const c = consumer("con_a");
      const keys = Array.from({ length: 700 }, (_, i) => key(`key_${String(i).padStart(4, "0")}`, c.id));
      await commitOk(
        store,
        unit([
          { type: "insertConsumer", consumer: c },
          ...keys.map((k) => ({ type: "insertKey" as const, key: k })),
        ]),
      );
      const guards = keys.map((k, i) => ({ id: k.id, expectRevision: i === 699 ? 3 : 0 }));
      const auditBefore = await store.auditHead();
      await expectConflict(
        store,
        unit(
          [{ type: "revokeKeys", keys: guards, revokedAt: T0 + 5, reason: "x" }],
          [audit("key.revoke", "key_0000")],
        ),
      );
      expect(
        (await store.getKeys(keys.map((k) => k.id))).every((k) => k.status === "active" && k.revision === 0),
      ).toBe(true);
      expect(await store.auditHead()).toEqual(auditBefore);
      await expectConflict(
        store,
        unit([
          {
            type: "revokeKeys",
            keys: [{ id: "key_missing", expectRevision: 0 }],
            revokedAt: T0,
            reason: "x",
          },
        ]),
      );
    });

    it("applies nothing when the third write violates a unique constraint", async () => {
      const store = ctx.store();
      const { key: existing, unit: first } = consumerWithKey(1);
      await commitOk(store, first);
      const c = consumer("con_b");
      const other = key("key_b", c.id);
      const clash = key("key_c", c.id, { hash: existing.hash, lineageId: "lin_other" });
      await expectConflict(
        store,
        unit(
          [
            { type: "insertConsumer", consumer: c },
            { type: "insertKey", key: other },
            { type: "insertKey", key: clash },
          ],
          [audit("key.create", clash.id)],
          [event("evt_b")],
        ),
      );
      expect(await store.getConsumer(c.id)).toBeNull();
      expect(await store.getKey(other.id)).toBeNull();
      expect(await store.listAudit({ limit: 10 })).toHaveLength(1);
      expect((await store.claimOutbox(T0, 10, 1000)).map((e) => e.id)).toEqual(["evt_0001"]);
    });

    it("replaces a key's mutable fields only at the expected revision, and increments it", async () => {
      const store = ctx.store();
      const { key: k, unit: u } = consumerWithKey(1);
      await commitOk(store, u);
      await store.recordKeyUsage([{ keyId: k.id, lastUsedAt: T0 + 5 }]);
      const changed = {
        ...k,
        status: "deprecated" as const,
        name: "renamed",
        scopes: ["read", "trade"],
        expiresAt: T0 + 1,
        deprecatedAt: T0 + 2,
        sunsetAt: T0 + 3,
        revokedAt: T0 + 4,
        revokedReason: "test",
        metadata: { team: "ops" },
        // Immutable fields: an update must not move them.
        hash: "f".repeat(64),
        lineageId: "lin_elsewhere",
        version: 9,
        consumerId: "con_elsewhere",
        createdAt: 1,
        lastUsedAt: null,
      };
      await commitOk(store, unit([{ type: "updateKey", key: changed, expectRevision: 0 }]));
      expect(await store.getKey(k.id)).toEqual({
        ...k,
        status: "deprecated",
        name: "renamed",
        scopes: ["read", "trade"],
        expiresAt: T0 + 1,
        deprecatedAt: T0 + 2,
        sunsetAt: T0 + 3,
        revokedAt: T0 + 4,
        revokedReason: "test",
        metadata: { team: "ops" },
        lastUsedAt: T0 + 5,
        revision: 1,
      });
      await expectConflict(
        store,
        unit([{ type: "updateKey", key: { ...k, name: "stale" }, expectRevision: 0 }]),
      );
      expect((await store.getKey(k.id))?.name).toBe("renamed");
      await commitOk(store, unit([{ type: "updateKey", key: { ...k, name: "again" }, expectRevision: 1 }]));
      expect(await store.getKey(k.id)).toMatchObject({ name: "again", revision: 2 });
    });

    it("rejects an update of an unknown key", async () => {
      const store = ctx.store();
      await expectConflict(
        store,
        unit([{ type: "updateKey", key: key("key_x", "con_x"), expectRevision: 0 }]),
      );
    });

    it("updates a rotation only from the expected state", async () => {
      const store = ctx.store();
      const c = consumer("con_a");
      const k1 = key("key_1", c.id);
      const k2 = key("key_2", c.id, { lineageId: k1.lineageId, version: 2 });
      const r = rotation("rot_1", k1, k2);
      await commitOk(
        store,
        unit([
          { type: "insertConsumer", consumer: c },
          { type: "insertKey", key: k1 },
          { type: "insertKey", key: k2 },
          { type: "insertRotation", rotation: r },
        ]),
      );
      const done = {
        ...r,
        state: "completed" as const,
        completedAt: T0 + 10,
        completedReason: "manual" as const,
      };
      await expectConflict(
        store,
        unit([{ type: "updateRotation", rotation: done, expectState: "rolled_back" }]),
      );
      expect(await store.getRotation(r.id)).toEqual(r);
      await commitOk(store, unit([{ type: "updateRotation", rotation: done, expectState: "overlapping" }]));
      expect(await store.getRotation(r.id)).toEqual(done);
      await expectConflict(
        store,
        unit([{ type: "updateRotation", rotation: done, expectState: "overlapping" }]),
      );
      await expectConflict(
        store,
        unit([{ type: "updateRotation", rotation: { ...done, id: "rot_x" }, expectState: "overlapping" }]),
      );
    });

    it("updates a consumer's fields but keeps its id and creation time, and rejects an unknown one", async () => {
      const store = ctx.store();
      const c = consumer("con_a");
      await commitOk(store, unit([{ type: "insertConsumer", consumer: c }]));
      const changed = {
        ...c,
        name: "New name",
        plan: "pro",
        metadata: { tier: 2 },
        disabled: true,
        rotationPolicy: { maxAgeDays: 90, overlapSeconds: 3600, notifyBeforeDays: 7 },
        updatedAt: T0 + 50,
        createdAt: 1,
      };
      await commitOk(store, unit([{ type: "updateConsumer", consumer: changed }]));
      expect(await store.getConsumer(c.id)).toEqual({ ...changed, createdAt: c.createdAt });
      await expectConflict(store, unit([{ type: "updateConsumer", consumer: consumer("con_missing") }]));
    });

    describe("unique and reference constraints", () => {
      const base = () => consumerWithKey(1);
      const cases: [string, (b: ReturnType<typeof base>) => Write[]][] = [
        [
          "duplicate key hash",
          (b) => [{ type: "insertKey", key: key("key_9", b.consumer.id, { hash: b.key.hash }) }],
        ],
        [
          "duplicate lineage version",
          (b) => [{ type: "insertKey", key: key("key_9", b.consumer.id, { lineageId: b.key.lineageId }) }],
        ],
        [
          "duplicate key id",
          (b) => [{ type: "insertKey", key: key(b.key.id, b.consumer.id, { hash: "e".repeat(64) }) }],
        ],
        ["duplicate consumer id", (b) => [{ type: "insertConsumer", consumer: consumer(b.consumer.id) }]],
        ["key of an unknown consumer", () => [{ type: "insertKey", key: key("key_9", "con_missing") }]],
        [
          "rotation naming an unknown key",
          (b) => [
            { type: "insertRotation", rotation: rotation("rot_9", b.key, key("key_missing", b.consumer.id)) },
          ],
        ],
        [
          "duplicate rotation id",
          (b) => {
            const next = key("key_2", b.consumer.id, { lineageId: b.key.lineageId, version: 2 });
            return [
              { type: "insertKey", key: next },
              { type: "insertRotation", rotation: rotation("rot_1", b.key, next) },
              { type: "insertRotation", rotation: rotation("rot_1", b.key, next) },
            ];
          },
        ],
        [
          "duplicate admin token id",
          () => [
            { type: "insertAdminToken", token: adminToken("adm_1") },
            { type: "insertAdminToken", token: adminToken("adm_1", { hash: "d".repeat(64) }) },
          ],
        ],
      ];
      for (const [name, writes] of cases) {
        it(`rejects a ${name} and applies nothing of the unit`, async () => {
          const store = ctx.store();
          const b = base();
          await commitOk(store, b.unit);
          await expectConflict(
            store,
            unit(
              [{ type: "insertConsumer", consumer: consumer("con_side") }, ...writes(b)],
              [audit("x", "y")],
              [event("evt_side")],
            ),
          );
          expect(await store.getConsumer("con_side")).toBeNull();
          expect(await store.listAudit({ limit: 10 })).toHaveLength(1);
          expect(await store.claimOutbox(T0, 10, 1000)).toHaveLength(1);
        });
      }

      it("rejects a duplicate outbox event id", async () => {
        const store = ctx.store();
        await commitOk(store, unit([], [], [event("evt_1")]));
        await expectConflict(
          store,
          unit([{ type: "insertConsumer", consumer: consumer("con_a") }], [], [event("evt_1")]),
        );
        expect(await store.getConsumer("con_a")).toBeNull();
      });
    });

    it("lets exactly one of many concurrent updates of one key win", async () => {
      const store = ctx.store();
      const { key: k, unit: u } = consumerWithKey(1);
      await commitOk(store, u);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.commit(
            unit(
              [{ type: "updateKey", key: { ...k, name: `writer ${i}` }, expectRevision: 0 }],
              [audit("key.update", k.id, { writer: i })],
            ),
          ),
        ),
      );
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      expect(winners).toHaveLength(1);
      const stored = await store.getKey(k.id);
      expect(stored).toMatchObject({ name: `writer ${winners[0]}`, revision: 1 });
      expect(await store.listAudit({ limit: 10 })).toHaveLength(2);
    });

    it("lets exactly one of two stores on the same data win a concurrent update", async ({ skip }) => {
      if (!ctx.openPeer) return skip("the backend has no shared data");
      const store = ctx.store();
      const peer = await ctx.openPeer();
      try {
        const { key: k, unit: u } = consumerWithKey(1);
        await commitOk(store, u);
        const results = await Promise.all(
          [store, peer, store, peer].map((s, i) =>
            s.commit(unit([{ type: "updateKey", key: { ...k, name: `writer ${i}` }, expectRevision: 0 }])),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect((await peer.getKey(k.id))?.revision).toBe(1);
      } finally {
        await peer.close();
      }
    });
  });
}
