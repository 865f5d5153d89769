import type {
  KeyStore,
  LeaseStore,
  NewDelivery,
  Webhook,
  WebhookSigningSecrets,
  WebhookStore,
} from "@keygate/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { event, T0, unit } from "./fixtures.ts";

/** What the webhook and lease contracts need: one object serving all three ports, like every real store. */
export type WebhookCapableStore = KeyStore & WebhookStore & LeaseStore;

export interface WebhookStoreContractOptions {
  /** Names the suite: `WebhookStore and LeaseStore contract: <name>`. */
  readonly name: string;
  /** A migrated, EMPTY store. Called before every test. */
  readonly create: () => Promise<WebhookCapableStore>;
  /** Undoes `create` after every test. Default: `store.close()`. */
  readonly cleanup?: (store: WebhookCapableStore) => Promise<void>;
  /** A second store on the same data (another node); omitted for memory, whose peer tests are skipped. */
  readonly openPeer?: () => Promise<WebhookCapableStore>;
}

const LEASE = 30_000;
const SECRETS: WebhookSigningSecrets = {
  current: "whsec_Y3VycmVudA==",
  previous: null,
  previousExpiresAt: null,
};

export function webhook(id: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    id,
    url: `https://hooks.example.com/${id}`,
    events: ["key.created", "key.rotated"],
    description: null,
    createdAt: T0,
    disabled: false,
    deletedAt: null,
    secretRotatedAt: null,
    revision: 0,
    ...overrides,
  };
}

function delivery(id: string, webhookId: string, eventId: string, createdAt = T0): NewDelivery {
  return {
    id,
    webhookId,
    eventId,
    eventType: "key.created",
    payload: `{"type":"key.created","data":{"id":"${eventId}"},"note":"ünïcode ✓"}`,
    createdAt,
  };
}

async function insertWebhook(store: KeyStore, w: Webhook, secrets = SECRETS): Promise<void> {
  const result = await store.commit(unit([{ type: "insertWebhook", webhook: w, secrets }]));
  if (!result.ok) throw new Error(result.conflict);
}

const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);

/** The specification of `WebhookStore` and `LeaseStore`, run against every backend. */
export function runWebhookStoreContract(options: WebhookStoreContractOptions): void {
  describe(`WebhookStore and LeaseStore contract: ${options.name}`, () => {
    let current: WebhookCapableStore | undefined;
    beforeEach(async () => {
      current = await options.create();
    });
    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store) await (options.cleanup ? options.cleanup(store) : store.close());
    });
    const store = (): WebhookCapableStore => {
      if (!current) throw new Error("no store: create() has not run");
      return current;
    };

    describe("webhooks", () => {
      it("stores an endpoint through commit, keeps its secrets apart, and lists live ones by id", async () => {
        const s = store();
        await insertWebhook(s, webhook("whk_2", { description: "second" }));
        await insertWebhook(s, webhook("whk_1", { events: ["*"] }));
        expect(await s.getWebhook("whk_2")).toEqual(webhook("whk_2", { description: "second" }));
        expect(await s.getWebhookSecrets("whk_2")).toEqual(SECRETS);
        expect(ids(await s.listWebhooks({ limit: 10 }))).toEqual(["whk_1", "whk_2"]);
        expect(ids(await s.listWebhooks({ after: "whk_1", limit: 10 }))).toEqual(["whk_2"]);
        expect(ids(await s.listWebhooks({ limit: 1 }))).toEqual(["whk_1"]);
        expect(JSON.stringify(await s.getWebhook("whk_2"))).not.toContain("whsec_");
        expect(await s.getWebhook("whk_unknown")).toBeNull();
        expect(await s.getWebhookSecrets("whk_unknown")).toBeNull();
      });

      it("refuses a duplicate id, and an update from a stale revision, applying nothing of the unit", async () => {
        const s = store();
        await insertWebhook(s, webhook("whk_1"));
        const dup = await s.commit(
          unit(
            [{ type: "insertWebhook", webhook: webhook("whk_1"), secrets: SECRETS }],
            [],
            [event("evt_x")],
          ),
        );
        expect(dup.ok).toBe(false);
        const rotated: WebhookSigningSecrets = {
          current: "whsec_bmV3",
          previous: SECRETS.current,
          previousExpiresAt: T0 + 1000,
        };
        const ok = await s.commit(
          unit([
            {
              type: "updateWebhook",
              webhook: webhook("whk_1", { secretRotatedAt: T0 + 5 }),
              secrets: rotated,
              expectRevision: 0,
            },
          ]),
        );
        expect(ok.ok).toBe(true);
        expect(await s.getWebhookSecrets("whk_1")).toEqual(rotated);
        expect((await s.getWebhook("whk_1"))?.revision).toBe(1);
        const stale = await s.commit(
          unit([
            { type: "updateWebhook", webhook: webhook("whk_1", { deletedAt: T0 + 9 }), expectRevision: 0 },
          ]),
        );
        expect(stale.ok).toBe(false);
        // Without `secrets`, an update keeps them; a deleted endpoint leaves the list but stays readable.
        const deleted = await s.commit(
          unit([
            {
              type: "updateWebhook",
              webhook: webhook("whk_1", { deletedAt: T0 + 9, secretRotatedAt: T0 + 5 }),
              expectRevision: 1,
            },
          ]),
        );
        expect(deleted.ok).toBe(true);
        expect(await s.getWebhookSecrets("whk_1")).toEqual(rotated);
        expect(await s.listWebhooks({ limit: 10 })).toEqual([]);
        expect((await s.getWebhook("whk_1"))?.deletedAt).toBe(T0 + 9);
        expect(await s.claimOutbox(T0, 10, LEASE)).toEqual([]);
      });
    });

    describe("deliveries", () => {
      it("fans out idempotently and marks the events fanned out in the same step", async () => {
        const s = store();
        await insertWebhook(s, webhook("whk_1"));
        await insertWebhook(s, webhook("whk_2"));
        await s.commit(unit([], [], [event("evt_1"), event("evt_2")]));
        await s.fanOut(
          [delivery("dlv_1", "whk_1", "evt_1"), delivery("dlv_2", "whk_2", "evt_1")],
          ["evt_1"],
          T0,
        );
        // Fanned out again (a dispatcher that died before it learned of its commit): nothing doubles.
        await s.fanOut([delivery("dlv_1b", "whk_1", "evt_1")], ["evt_1"], T0);
        expect(ids(await s.claimOutbox(T0, 10, LEASE))).toEqual(["evt_2"]);
        expect(ids(await s.listDeliveries({ webhookId: "whk_1", limit: 10 }))).toEqual(["dlv_1"]);
        const d = await s.getDelivery("dlv_1");
        expect(d).toMatchObject({
          id: "dlv_1",
          webhookId: "whk_1",
          eventId: "evt_1",
          eventType: "key.created",
          status: "pending",
          attempts: 0,
          roundAttempts: 0,
          nextAttemptAt: T0,
          lastAttemptAt: null,
          responseStatus: null,
          error: null,
          createdAt: T0,
          deliveredAt: null,
        });
        expect(d).not.toHaveProperty("payload");
      });

      it("claims due deliveries with their exact payload, oldest due first, and leases them", async () => {
        const s = store();
        await insertWebhook(s, webhook("whk_1"));
        await s.fanOut(
          [
            delivery("dlv_b", "whk_1", "evt_1", T0),
            delivery("dlv_a", "whk_1", "evt_2", T0 + 1),
            delivery("dlv_c", "whk_1", "evt_3", T0 + 60_000),
          ],
          [],
          T0,
        );
        const claimed = await s.claimDeliveries(T0 + 10, 10, LEASE);
        expect(ids(claimed)).toEqual(["dlv_b", "dlv_a"]);
        expect(claimed[0]?.payload).toBe(delivery("dlv_b", "whk_1", "evt_1").payload);
        expect(await s.claimDeliveries(T0 + LEASE, 10, LEASE)).toEqual([]);
        // Both leases ran out at the same moment: ties go by id.
        expect(ids(await s.claimDeliveries(T0 + 10 + LEASE, 1, LEASE))).toEqual(["dlv_a"]);
        expect(await s.claimDeliveries(T0, 0, LEASE)).toEqual([]);
      });

      it("records attempts as a log, retries, delivers and fails for good, guarded by the attempt count", async () => {
        const s = store();
        await insertWebhook(s, webhook("whk_1"));
        await s.fanOut([delivery("dlv_1", "whk_1", "evt_1")], [], T0);
        await s.claimDeliveries(T0, 10, LEASE);
        const failed = {
          deliveryId: "dlv_1",
          expectAttempts: 0,
          at: T0 + 5,
          durationMs: 12,
          responseStatus: 500,
          error: `HTTP 500 ${"x".repeat(5000)}`,
          status: "retry" as const,
          nextAttemptAt: T0 + 5000,
        };
        expect(await s.recordAttempt(failed)).toBe(true);
        // A stale dispatcher recording the same attempt again changes nothing.
        expect(await s.recordAttempt(failed)).toBe(false);
        expect(await s.getDelivery("dlv_1")).toMatchObject({
          status: "pending",
          attempts: 1,
          roundAttempts: 1,
          nextAttemptAt: T0 + 5000,
          lastAttemptAt: T0 + 5,
          responseStatus: 500,
        });
        expect((await s.getDelivery("dlv_1"))?.error?.length).toBeLessThanOrEqual(2000);
        expect(await s.claimDeliveries(T0 + 4999, 10, LEASE)).toEqual([]);
        expect(ids(await s.claimDeliveries(T0 + 5000, 10, LEASE))).toEqual(["dlv_1"]);
        expect(
          await s.recordAttempt({
            deliveryId: "dlv_1",
            expectAttempts: 1,
            at: T0 + 5100,
            durationMs: 3,
            responseStatus: 204,
            error: null,
            status: "delivered",
            nextAttemptAt: null,
          }),
        ).toBe(true);
        expect(await s.getDelivery("dlv_1")).toMatchObject({
          status: "delivered",
          attempts: 2,
          nextAttemptAt: null,
          responseStatus: 204,
          error: null,
          deliveredAt: T0 + 5100,
        });
        expect(await s.claimDeliveries(T0 + 10 * LEASE, 10, LEASE)).toEqual([]);
        const log = await s.listAttempts("dlv_1");
        expect(log.map((a) => [a.attempt, a.ok, a.responseStatus, a.durationMs])).toEqual([
          [1, false, 500, 12],
          [2, true, 204, 3],
        ]);
        expect(log[0]?.error?.length).toBeLessThanOrEqual(2000);

        // Redelivery requeues even a delivered one, with a fresh schedule, keeping the attempt count.
        expect(await s.requeueDelivery("dlv_1", T0 + 9000)).toBe(true);
        expect(await s.requeueDelivery("dlv_unknown", T0)).toBe(false);
        expect(await s.getDelivery("dlv_1")).toMatchObject({
          status: "pending",
          attempts: 2,
          roundAttempts: 0,
          nextAttemptAt: T0 + 9000,
        });
        expect(ids(await s.claimDeliveries(T0 + 9000, 10, LEASE))).toEqual(["dlv_1"]);
        await s.recordAttempt({
          deliveryId: "dlv_1",
          expectAttempts: 2,
          at: T0 + 9100,
          durationMs: 1,
          responseStatus: null,
          error: "connection refused",
          status: "failed",
          nextAttemptAt: null,
        });
        expect(await s.getDelivery("dlv_1")).toMatchObject({
          status: "failed",
          attempts: 3,
          nextAttemptAt: null,
          error: "connection refused",
        });
        expect(await s.claimDeliveries(T0 + 10 * LEASE, 10, LEASE)).toEqual([]);
      });

      it("pages a webhook's deliveries by id", async () => {
        const s = store();
        await insertWebhook(s, webhook("whk_1"));
        await insertWebhook(s, webhook("whk_2"));
        await s.fanOut(
          [
            delivery("dlv_3", "whk_1", "evt_3"),
            delivery("dlv_1", "whk_1", "evt_1"),
            delivery("dlv_2", "whk_2", "evt_1"),
          ],
          [],
          T0,
        );
        expect(ids(await s.listDeliveries({ webhookId: "whk_1", limit: 1 }))).toEqual(["dlv_1"]);
        expect(ids(await s.listDeliveries({ webhookId: "whk_1", after: "dlv_1", limit: 5 }))).toEqual([
          "dlv_3",
        ]);
        expect(await s.listAttempts("dlv_1")).toEqual([]);
      });

      it("never hands one delivery to two concurrent claimers on the same data", async ({ skip }) => {
        if (!options.openPeer) return skip("the backend has no shared data");
        const s = store();
        const peer = await options.openPeer();
        try {
          await insertWebhook(s, webhook("whk_1"));
          const many = Array.from({ length: 40 }, (_, i) =>
            delivery(`dlv_${String(i).padStart(3, "0")}`, "whk_1", `evt_${i}`),
          );
          await s.fanOut(many, [], T0);
          const claims = await Promise.all([s, peer, s, peer].map((c) => c.claimDeliveries(T0, 15, LEASE)));
          const all = claims.flatMap(ids);
          expect(new Set(all).size).toBe(all.length);
          expect(all.length).toBe(40);
        } finally {
          await peer.close();
        }
      });
    });

    describe("job leases", () => {
      it("takes a free lease, renews its own, refuses another holder until it expires", async () => {
        const s = store();
        expect(await s.getLease("webhooks")).toBeNull();
        expect(await s.acquireLease("webhooks", "node-a", 1000, T0)).toBe(true);
        expect(await s.getLease("webhooks")).toEqual({
          name: "webhooks",
          holder: "node-a",
          expiresAt: T0 + 1000,
        });
        expect(await s.acquireLease("webhooks", "node-b", 1000, T0 + 999)).toBe(false);
        expect(await s.acquireLease("webhooks", "node-a", 1000, T0 + 500)).toBe(true);
        expect((await s.getLease("webhooks"))?.expiresAt).toBe(T0 + 1500);
        expect(await s.acquireLease("webhooks", "node-b", 1000, T0 + 1499)).toBe(false);
        // Leases are per name.
        expect(await s.acquireLease("retire-rotations", "node-b", 1000, T0 + 1499)).toBe(true);
        // Expired: anyone may take it, and the old holder has lost it.
        expect(await s.acquireLease("webhooks", "node-b", 1000, T0 + 1500)).toBe(true);
        expect(await s.acquireLease("webhooks", "node-a", 1000, T0 + 1600)).toBe(false);
        expect((await s.getLease("webhooks"))?.holder).toBe("node-b");
      });

      it("releases only its own lease", async () => {
        const s = store();
        await s.acquireLease("webhooks", "node-a", 60_000, T0);
        await s.releaseLease("webhooks", "node-b");
        expect((await s.getLease("webhooks"))?.holder).toBe("node-a");
        await s.releaseLease("webhooks", "node-a");
        expect(await s.getLease("webhooks")).toBeNull();
        expect(await s.acquireLease("webhooks", "node-b", 60_000, T0 + 1)).toBe(true);
      });

      it("gives a free lease to exactly one of many concurrent contenders", async () => {
        const s = store();
        for (let round = 0; round < 5; round++) {
          const now = T0 + round * 10_000;
          const results = await Promise.all(
            Array.from({ length: 8 }, (_, i) => s.acquireLease(`job-${round}`, `node-${i}`, 5000, now)),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
          const winner = results.indexOf(true);
          expect((await s.getLease(`job-${round}`))?.holder).toBe(`node-${winner}`);
        }
      });

      it("gives an expired lease to exactly one contender across stores on the same data", async ({
        skip,
      }) => {
        if (!options.openPeer) return skip("the backend has no shared data");
        const s = store();
        const peers = await Promise.all([options.openPeer(), options.openPeer(), options.openPeer()]);
        try {
          const contenders = [s, ...peers];
          for (let round = 0; round < 5; round++) {
            const now = T0 + round * 10_000;
            // The previous round's winner has let its lease run out.
            const results = await Promise.all(
              contenders.flatMap((c, i) => [
                c.acquireLease("webhooks", `node-${i}-a`, 5000, now),
                c.acquireLease("webhooks", `node-${i}-b`, 5000, now),
              ]),
            );
            expect(results.filter(Boolean)).toHaveLength(1);
          }
        } finally {
          await Promise.all(peers.map((p) => p.close()));
        }
      });
    });
  });
}
