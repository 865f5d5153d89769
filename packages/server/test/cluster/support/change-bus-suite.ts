import type { Change } from "@keygate/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisBusKeys } from "../../../src/cluster/redis/redis-bus-keys.ts";
import type { RedisClient, RedisNatMap } from "../../../src/cluster/redis/redis-connection.ts";
import { type BusNode, makeChange, percentile, startBusNode } from "./bus-node.ts";
import { testPrefix, waitUntil } from "./redis.ts";

/** A Redis deployment the change-bus suite runs on, and what the suite does to it. */
export interface BusSuiteTarget {
  /** Names the suite: `a single primary`, `Redis Cluster`, `Sentinel`. */
  readonly name: string;
  readonly redisUrl: string;
  /** Whether bus keys carry the `{bus}` hash tag (Cluster). */
  readonly clustered: boolean;
  /** A client for the test to inspect or disturb Redis with (not connected yet). */
  admin(): RedisClient;
  deleteKeys(prefix: string): Promise<void>;
  /** Subscribers of a pub/sub channel over every data node. */
  numsub(channel: string): Promise<number>;
  /** CLIENT KILL of every connection named `name`; how many were killed. */
  killClients(name: string): Promise<number>;
  /** Relays a node's connections through (`url` + `natMap`), which the test cuts and restores. */
  cuttable(): Promise<{
    readonly url: string;
    readonly natMap: RedisNatMap | undefined;
    cut(): void;
    restore(): void;
    close(): Promise<void>;
  }>;
}

const ids = (changes: readonly Change[]) => changes.map((change) => change.id);

/**
 * The change-bus suite, written once and run on every Redis deployment keygate
 * supports: a single primary, Redis Cluster and Sentinel.
 */
export function runChangeBusSuite(t: BusSuiteTarget): void {
  describe(`RedisChangeBus on ${t.name}`, () => {
    let admin: RedisClient;
    let prefix: string;
    let nodes: BusNode[] = [];
    const closers: Array<() => Promise<void>> = [];
    const keys = () => redisBusKeys(prefix, t.clustered);

    beforeAll(async () => {
      admin = t.admin();
      await admin.connect();
    });
    afterAll(async () => {
      await admin.quit();
    });
    afterEach(async () => {
      for (const node of nodes) await node.bus.close();
      for (const close of closers.splice(0)) await close();
      nodes = [];
      await t.deleteKeys(prefix);
    });

    async function cluster(count: number, options: { heartbeatMs?: number; liveAfterMs?: number } = {}) {
      prefix = testPrefix("bus");
      for (let i = 0; i < count; i++) {
        nodes.push(await startBusNode(`node-${i}`, { redisUrl: t.redisUrl, keyPrefix: prefix, ...options }));
      }
      return nodes;
    }

    it("delivers a change to every node, each acknowledges, and waitFor completes", async () => {
      const [a, b, c] = await cluster(3);
      if (a === undefined || b === undefined || c === undefined) throw new Error("cluster");
      const change = makeChange("revoke");
      await a.bus.publish(change);
      const outcome = await a.bus.waitFor(change, 5000);
      expect(outcome).toEqual({ complete: true, status: { changeId: change.id, nodes: 3, acknowledged: 3 } });
      for (const node of [a, b, c]) expect(node.received).toEqual([change]);
      // Any node can answer for any change.
      expect(await c.bus.status(change.id)).toEqual({ changeId: change.id, nodes: 3, acknowledged: 3 });
      expect(await b.bus.status("chg_never_published")).toBeNull();
      const acks = await admin.hgetall(keys().changeAcks(change.id));
      expect(Object.keys(acks).sort()).toEqual(["node-0", "node-1", "node-2"]);
      expect(await admin.ttl(keys().changeAcks(change.id))).toBeGreaterThan(3000);
    });

    it("only nodes with an admin API listen for acknowledgements; a gateway node starts at its first wait", async () => {
      prefix = testPrefix("bus");
      const options = { redisUrl: t.redisUrl, keyPrefix: prefix };
      nodes.push(await startBusNode("admin-0", { ...options, role: "admin" }));
      nodes.push(await startBusNode("gateway-0", { ...options, role: "gateway" }));
      nodes.push(await startBusNode("gateway-1", { ...options, role: "gateway" }));
      const listeners = () => t.numsub(keys().acksChannel);
      await waitUntil("the admin node's subscription", async () => (await listeners()) === 1);
      const gateway = nodes[1];
      if (gateway === undefined) throw new Error("cluster");
      const change = makeChange("from-gateway");
      await gateway.bus.publish(change);
      expect(await listeners()).toBe(1); // the gateways have not waited yet
      expect(await gateway.bus.waitFor(change, 5000)).toMatchObject({ complete: true });
      await waitUntil("the waiting gateway's subscription", async () => (await listeners()) === 2);
    });

    it("keeps each publisher's order on every node", async () => {
      const all = await cluster(3);
      const published = new Map<string, string[]>();
      await Promise.all(
        all.map(async (node) => {
          const mine: string[] = [];
          published.set(node.nodeId, mine);
          for (let i = 0; i < 30; i++) {
            const change = makeChange(`${node.nodeId}-${i}`);
            mine.push(change.id);
            await node.bus.publish(change);
          }
        }),
      );
      await waitUntil("every node to receive 90 changes", () =>
        all.every((node) => node.received.length === 90),
      );
      for (const node of all) {
        for (const [publisher, order] of published) {
          const seen = ids(node.received).filter((id) => id.includes(`_${publisher}-`));
          expect(seen, `${node.nodeId} sees ${publisher}'s changes in order`).toEqual(order);
        }
      }
    });

    it("registers live nodes and drops a gracefully closed one at once", async () => {
      const [a, , c] = await cluster(3);
      if (a === undefined || c === undefined) throw new Error("cluster");
      const live = await a.bus.liveNodes();
      expect(live.map((node) => node.nodeId).sort()).toEqual(["node-0", "node-1", "node-2"]);
      for (const node of live) {
        expect(node).toMatchObject({ role: "all", pid: process.pid, busConnected: true });
        expect(node.startedAt).toBeGreaterThan(0);
      }
      await c.bus.close();
      nodes = nodes.filter((node) => node !== c);
      expect((await a.bus.liveNodes()).map((node) => node.nodeId).sort()).toEqual(["node-0", "node-1"]);
      expect(await admin.exists(keys().node("node-2"))).toBe(0);
      const change = makeChange("after-leave");
      await a.bus.publish(change);
      expect((await a.bus.waitFor(change, 5000)).status).toEqual({
        changeId: change.id,
        nodes: 2,
        acknowledged: 2,
      });
    });

    it("stops waiting for a node that died once its heartbeat is older than liveAfterMs", async () => {
      const [a, , c] = await cluster(3, { heartbeatMs: 100, liveAfterMs: 1500 });
      if (a === undefined || c === undefined) throw new Error("cluster");
      // A crash: connections gone, registry entry left to go stale.
      await c.bus.close({ deregister: false });
      nodes = nodes.filter((node) => node !== c);
      const change = makeChange("while-dying");
      await a.bus.publish(change);
      await waitUntil(
        "the two survivors to acknowledge",
        async () => (await a.bus.status(change.id))?.acknowledged === 2,
      );
      // Still within liveAfterMs of its last heartbeat: the dead node is expected, so the wait is not over.
      const early = await a.bus.waitFor(change, 50);
      expect(early).toEqual({ complete: false, status: { changeId: change.id, nodes: 3, acknowledged: 2 } });
      const late = await a.bus.waitFor(change, 5000);
      expect(late).toEqual({ complete: true, status: { changeId: change.id, nodes: 2, acknowledged: 2 } });
      expect((await a.bus.liveNodes()).map((node) => node.nodeId)).not.toContain("node-2");
      // A change published after the death never expected it.
      const next = makeChange("after-death");
      await a.bus.publish(next);
      expect(await a.bus.waitFor(next, 5000)).toMatchObject({ complete: true, status: { nodes: 2 } });
    });

    it("does not acknowledge a change a subscriber failed to apply", async () => {
      const [a, b] = await cluster(2);
      if (a === undefined || b === undefined) throw new Error("cluster");
      b.bus.subscribe(() => {
        throw new Error("cache exploded");
      });
      const change = makeChange("bad-handler");
      await a.bus.publish(change);
      await waitUntil(
        "node-0 to acknowledge",
        async () => (await a.bus.status(change.id))?.acknowledged === 1,
      );
      const outcome = await a.bus.waitFor(change, 300);
      expect(outcome).toEqual({
        complete: false,
        status: { changeId: change.id, nodes: 2, acknowledged: 1 },
      });
      expect(b.received).toEqual([change]);
      expect(b.logger.lines.some((line) => line.level === "error")).toBe(true);
    });

    it("turns an unreadable stream entry into a drop-everything change", async () => {
      const [a, b] = await cluster(2);
      if (a === undefined || b === undefined) throw new Error("cluster");
      await admin.xadd(keys().stream, "*", "change", "{not json");
      await waitUntil(
        "both nodes to apply the entry",
        () => a.received.length === 1 && b.received.length === 1,
      );
      expect(b.received[0]).toMatchObject({ all: true, keyIds: [] });
    });

    it("catches up, in order, on every change published while a node was cut off", async () => {
      prefix = testPrefix("catchup");
      const proxy = await t.cuttable();
      closers.push(() => proxy.close());
      const a = await startBusNode("node-a", { redisUrl: t.redisUrl, keyPrefix: prefix });
      const b = await startBusNode("node-b", { redisUrl: t.redisUrl, keyPrefix: prefix });
      const c = await startBusNode("node-c", {
        redisUrl: proxy.url,
        redisNatMap: proxy.natMap,
        keyPrefix: prefix,
      });
      nodes.push(a, b, c);
      const before = makeChange("before");
      await a.bus.publish(before);
      expect((await a.bus.waitFor(before, 5000)).complete).toBe(true);

      proxy.cut();
      await waitUntil("node-c to notice", () => c.signals.lost === 1);
      expect(c.bus.isConnected()).toBe(false);
      const missed: Change[] = [];
      for (let i = 0; i < 50; i++) {
        const change = makeChange(`missed-${i}`);
        missed.push(change);
        await (i % 2 === 0 ? a : b).bus.publish(change);
      }
      const last = missed[missed.length - 1];
      if (last === undefined) throw new Error("no changes");
      // node-c is still live (its heartbeat is recent) and expected, but cannot acknowledge.
      await waitUntil(
        "node-a and node-b to acknowledge",
        async () => (await a.bus.status(last.id))?.acknowledged === 2,
      );
      expect(await a.bus.waitFor(last, 50)).toEqual({
        complete: false,
        status: { changeId: last.id, nodes: 3, acknowledged: 2 },
      });
      expect(ids(c.received)).toEqual([before.id]);

      proxy.restore();
      await waitUntil("node-c to catch up", () => c.signals.restored === 1);
      expect(ids(c.received)).toEqual([before.id, ...ids(missed)]);
      expect(c.signals.order).toEqual(["lost", "restored"]);
      expect(c.bus.isConnected()).toBe(true);
      expect(await a.bus.waitFor(last, 5000)).toEqual({
        complete: true,
        status: { changeId: last.id, nodes: 3, acknowledged: 3 },
      });
    });

    it("signals the loss again when the missed changes were trimmed away, then resumes", async () => {
      prefix = testPrefix("trim");
      const proxy = await t.cuttable();
      closers.push(() => proxy.close());
      const a = await startBusNode("node-a", { redisUrl: t.redisUrl, keyPrefix: prefix });
      const c = await startBusNode("node-c", {
        redisUrl: proxy.url,
        redisNatMap: proxy.natMap,
        keyPrefix: prefix,
      });
      nodes.push(a, c);
      const seen = makeChange("seen");
      await a.bus.publish(seen);
      await waitUntil("node-c to apply the first change", () => c.received.length === 1);

      proxy.cut();
      await waitUntil("node-c to notice", () => c.signals.lost === 1);
      for (let i = 0; i < 5; i++) await a.bus.publish(makeChange(`trimmed-${i}`));
      // The stream forgets everything node-c had not read yet, as MAXLEN would after a long outage.
      await admin.xtrim(keys().stream, "MAXLEN", 0);
      const after = makeChange("after-trim");
      await a.bus.publish(after);

      proxy.restore();
      await waitUntil("node-c to resume", () => c.signals.restored === 1);
      expect(c.signals.order).toEqual(["lost", "lost", "restored"]);
      expect(ids(c.received)).toEqual([seen.id, after.id]);
      expect(c.logger.lines.some((line) => line.msg === "change stream lost entries while away")).toBe(true);
    });

    it("recovers its stream reader after Redis kills the connection", async () => {
      const [a, b] = await cluster(2);
      if (a === undefined || b === undefined) throw new Error("cluster");
      // On Cluster the reader holds one connection per node; the one blocked on the bus slot is among them.
      expect(await t.killClients(`${prefix}node-1:reader`)).toBeGreaterThan(0);
      const change = makeChange("after-kill");
      await a.bus.publish(change);
      await waitUntil("node-1 to restore", () => b.signals.restored === 1);
      expect(await a.bus.waitFor(change, 5000)).toMatchObject({
        complete: true,
        status: { acknowledged: 2 },
      });
      expect(b.signals.order).toEqual(["lost", "restored"]);
      expect(ids(b.received)).toEqual([change.id]);
    });

    it("measures publish → all-acknowledged latency over 200 changes (reported, not asserted)", async () => {
      const [a] = await cluster(3);
      if (a === undefined) throw new Error("cluster");
      const samples: number[] = [];
      for (let i = 0; i < 200; i++) {
        const change = makeChange(`lat-${i}`);
        const started = performance.now();
        await a.bus.publish(change);
        const outcome = await a.bus.waitFor(change, 5000);
        samples.push(performance.now() - started);
        expect(outcome.complete).toBe(true);
      }
      samples.sort((x, y) => x - y);
      const p50 = percentile(samples, 50).toFixed(2);
      const p99 = percentile(samples, 99).toFixed(2);
      console.log(
        `propagation on ${t.name}, 3 nodes, 200 changes: publish → all acked p50 ${p50} ms, p99 ${p99} ms`,
      );
    });
  });
}
