import type { KeyRecord, KeyStore, UnitOfWork } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { adminToken, consumer, key, plan, rotation, T0, unit } from "./fixtures.ts";
import type { ContractContext } from "./key-store.contract.ts";

async function commitOk(store: KeyStore, u: UnitOfWork): Promise<void> {
  const result = await store.commit(u);
  if (!result.ok) throw new Error(`expected commit to succeed: ${result.conflict}`);
}

/** Two consumers; con_a has keys key_1 (active, lin_x v1), key_2 (deprecated, lin_x v2), key_3 (revoked); con_b has key_4. */
async function seedKeys(store: KeyStore): Promise<KeyRecord[]> {
  const a = consumer("con_a");
  const b = consumer("con_b");
  const keys = [
    key("key_1", a.id, { lineageId: "lin_x", version: 1, status: "deprecated" }),
    key("key_2", a.id, { lineageId: "lin_x", version: 2 }),
    key("key_3", a.id, { status: "revoked" }),
    key("key_4", b.id),
  ];
  // Inserted out of id order: listings must sort.
  await commitOk(
    store,
    unit([
      { type: "insertConsumer", consumer: b },
      { type: "insertConsumer", consumer: a },
      ...[...keys].reverse().map((k) => ({ type: "insertKey" as const, key: k })),
    ]),
  );
  return keys;
}

const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);

export function readsContract(ctx: ContractContext): void {
  describe("plans", () => {
    it("upserts by name and lists by name", async () => {
      const store = ctx.store();
      await commitOk(
        store,
        unit([
          { type: "putPlan", plan: plan("pro") },
          { type: "putPlan", plan: plan("free") },
        ]),
      );
      const open = plan("pro", { rateLimit: null, quota: null, updatedAt: T0 + 1 });
      await commitOk(store, unit([{ type: "putPlan", plan: open }]));
      expect(await store.getPlan("pro")).toEqual(open);
      expect(await store.getPlan("missing")).toBeNull();
      expect(await store.listPlans()).toEqual([plan("free"), open]);
    });
  });

  describe("consumers", () => {
    it("round-trips every field, including nested unicode metadata and a rotation policy", async () => {
      const store = ctx.store();
      const rich = consumer("con_rich", {
        plan: "pro",
        disabled: true,
        metadata: {
          owner: { name: "Zoë Ødegård", tags: ["α", "🚀"], limits: { burst: 10, ratio: 0.25 } },
          none: null,
        },
        rotationPolicy: { maxAgeDays: 90, overlapSeconds: null, notifyBeforeDays: 14 },
      });
      const plain = consumer("con_plain");
      await commitOk(
        store,
        unit([
          { type: "insertConsumer", consumer: rich },
          { type: "insertConsumer", consumer: plain },
        ]),
      );
      expect(await store.getConsumer(rich.id)).toEqual(rich);
      expect(await store.getConsumer(plain.id)).toEqual(plain);
      expect(await store.getConsumer("con_missing")).toBeNull();
    });

    it("lists by id ascending, after a cursor, at most `limit`", async () => {
      const store = ctx.store();
      const names = ["con_c", "con_a", "con_e", "con_b", "con_d"];
      await commitOk(
        store,
        unit(names.map((id) => ({ type: "insertConsumer" as const, consumer: consumer(id) }))),
      );
      expect(ids(await store.listConsumers({ limit: 3 }))).toEqual(["con_a", "con_b", "con_c"]);
      expect(ids(await store.listConsumers({ after: "con_c", limit: 3 }))).toEqual(["con_d", "con_e"]);
      expect(await store.listConsumers({ after: "con_e", limit: 3 })).toEqual([]);
    });
  });

  describe("keys", () => {
    it("round-trips scopes and metadata", async () => {
      const store = ctx.store();
      const c = consumer("con_a");
      const k = key("key_a", c.id, {
        scopes: ["read", "trade", "données:écriture"],
        metadata: { deploy: { region: "eu-west", replicas: [1, 2, 3] }, note: "🔑 «rotate»" },
        expiresAt: T0 + 1000,
        lastUsedAt: T0 - 5,
        env: "test",
      });
      const bare = key("key_b", c.id, { scopes: [] });
      await commitOk(
        store,
        unit([
          { type: "insertConsumer", consumer: c },
          { type: "insertKey", key: k },
          { type: "insertKey", key: bare },
        ]),
      );
      expect(await store.getKey(k.id)).toEqual(k);
      expect(await store.getKey(bare.id)).toEqual(bare);
      expect(await store.getKey("key_missing")).toBeNull();
    });

    it("lists by id with consumer, lineage and status filters and a cursor", async () => {
      const store = ctx.store();
      const keys = await seedKeys(store);
      expect(await store.listKeys({ limit: 10 })).toEqual(keys);
      expect(ids(await store.listKeys({ consumerId: "con_a", limit: 10 }))).toEqual([
        "key_1",
        "key_2",
        "key_3",
      ]);
      expect(ids(await store.listKeys({ lineageId: "lin_x", limit: 10 }))).toEqual(["key_1", "key_2"]);
      expect(ids(await store.listKeys({ status: "active", limit: 10 }))).toEqual(["key_2", "key_4"]);
      expect(ids(await store.listKeys({ consumerId: "con_a", status: "revoked", limit: 10 }))).toEqual([
        "key_3",
      ]);
      expect(ids(await store.listKeys({ after: "key_1", limit: 2 }))).toEqual(["key_2", "key_3"]);
      expect(ids(await store.listKeys({ consumerId: "con_a", after: "key_2", limit: 10 }))).toEqual([
        "key_3",
      ]);
    });

    it("gets many keys by id at once: unknown and repeated ids are left out, 1,500 take more than one statement", async () => {
      const store = ctx.store();
      const keys = await seedKeys(store);
      const got = await store.getKeys(["key_4", "key_nope", "key_1", "key_4"]);
      expect(ids(got).sort()).toEqual(["key_1", "key_4"]);
      expect(got.find((k) => k.id === "key_1")).toEqual(keys[0]);
      expect(await store.getKeys([])).toEqual([]);
      const many = Array.from({ length: 1500 }, (_, i) => key(`key_m${String(i).padStart(4, "0")}`, "con_b"));
      await commitOk(store, unit(many.map((k) => ({ type: "insertKey" as const, key: k }))));
      expect((await store.getKeys(many.map((k) => k.id))).length).toBe(1500);
    });

    it("finds a key by hash together with its consumer, and null for an unknown hash", async () => {
      const store = ctx.store();
      const keys = await seedKeys(store);
      const k4 = keys[3] as KeyRecord;
      expect(await store.findKeyByHash(k4.hash)).toEqual({ key: k4, consumer: consumer("con_b") });
      expect(await store.findKeyByHash("0".repeat(64))).toBeNull();
    });

    it("reports the highest version of a lineage, 0 for an unknown one", async () => {
      const store = ctx.store();
      await seedKeys(store);
      expect(await store.lineageMaxVersion("lin_x")).toBe(2);
      expect(await store.lineageMaxVersion("lin_key_4")).toBe(1);
      expect(await store.lineageMaxVersion("lin_missing")).toBe(0);
    });

    it("only moves lastUsedAt forward and leaves the revision alone", async () => {
      const store = ctx.store();
      await seedKeys(store);
      await store.recordKeyUsage([
        { keyId: "key_1", lastUsedAt: T0 + 100 },
        { keyId: "key_2", lastUsedAt: T0 + 50 },
        { keyId: "key_missing", lastUsedAt: T0 + 1 },
      ]);
      // An older batch arriving late, and a batch naming one key twice.
      await store.recordKeyUsage([
        { keyId: "key_1", lastUsedAt: T0 + 10 },
        { keyId: "key_2", lastUsedAt: T0 + 70 },
        { keyId: "key_2", lastUsedAt: T0 + 60 },
      ]);
      expect(await store.getKey("key_1")).toMatchObject({ lastUsedAt: T0 + 100, revision: 0 });
      expect(await store.getKey("key_2")).toMatchObject({ lastUsedAt: T0 + 70, revision: 0 });
      expect((await store.getKey("key_3"))?.lastUsedAt).toBeNull();
      await store.recordKeyUsage([]);
    });
  });

  describe("rotations", () => {
    async function seedRotations(store: KeyStore) {
      const keys = await seedKeys(store);
      const [k1, k2, k3, k4] = keys as [KeyRecord, KeyRecord, KeyRecord, KeyRecord];
      const open = rotation("rot_2", k1, k2);
      const done = rotation("rot_1", k3, k1, {
        state: "completed",
        completedAt: T0 + 5,
        completedReason: "idle",
      });
      const other = rotation("rot_3", k4, k4, { retire: "idle", idleSeconds: 60, state: "rolled_back" });
      await commitOk(
        store,
        unit([
          { type: "insertRotation", rotation: open },
          { type: "insertRotation", rotation: other },
          { type: "insertRotation", rotation: done },
        ]),
      );
      return { open, done, other };
    }

    it("gets, lists by id with state and consumer filters, and pages", async () => {
      const store = ctx.store();
      const { open, done, other } = await seedRotations(store);
      expect(await store.getRotation(other.id)).toEqual(other);
      expect(await store.getRotation("rot_missing")).toBeNull();
      expect(await store.listRotations({ limit: 10 })).toEqual([done, open, other]);
      expect(ids(await store.listRotations({ state: "overlapping", limit: 10 }))).toEqual(["rot_2"]);
      expect(ids(await store.listRotations({ consumerId: "con_a", limit: 10 }))).toEqual(["rot_1", "rot_2"]);
      expect(ids(await store.listRotations({ after: "rot_1", limit: 1 }))).toEqual(["rot_2"]);
    });

    it("finds the overlapping rotation of a key, as old or new key, and only while it overlaps", async () => {
      const store = ctx.store();
      const { open } = await seedRotations(store);
      expect(await store.findOpenRotationForKey("key_1")).toEqual(open);
      expect(await store.findOpenRotationForKey("key_2")).toEqual(open);
      expect(await store.findOpenRotationForKey("key_3")).toBeNull();
      expect(await store.findOpenRotationForKey("key_4")).toBeNull();
      const closed = { ...open, state: "rolled_back" as const, completedAt: T0 + 9 };
      await commitOk(store, unit([{ type: "updateRotation", rotation: closed, expectState: "overlapping" }]));
      expect(await store.findOpenRotationForKey("key_2")).toBeNull();
    });
  });

  describe("admin tokens", () => {
    it("finds a token by hash and counts tokens", async () => {
      const store = ctx.store();
      expect(await store.countAdminTokens()).toBe(0);
      const root = adminToken("adm_1");
      const reader = adminToken("adm_2", { role: "viewer", revokedAt: T0 + 1 });
      await commitOk(
        store,
        unit([
          { type: "insertAdminToken", token: root },
          { type: "insertAdminToken", token: reader },
        ]),
      );
      expect(await store.findAdminTokenByHash(reader.hash)).toEqual(reader);
      expect(await store.findAdminTokenByHash("1".repeat(64))).toBeNull();
      expect(await store.countAdminTokens()).toBe(2);
    });
  });

  describe("health", () => {
    it("answers ping", async () => {
      await expect(ctx.store().ping()).resolves.toBeUndefined();
    });
  });
}
