import type { Change } from "@keygate/core";
import { afterAll, describe, expect, it } from "vitest";
import { redisBusKeys } from "../../src/cluster/redis/redis-bus-keys.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { type BusNode, makeChange, startBusNode } from "./support/bus-node.ts";
import { runChangeBusSuite } from "./support/change-bus-suite.ts";
import { testPrefix, waitUntil } from "./support/redis.ts";
import { type RedisTopology, redisServerInstalled, startTopology } from "./support/redis-topologies.ts";

/**
 * The change-bus suite on a real 3-primary Redis Cluster (one replica each) and on a Sentinel
 * setup (1 primary + 1 replica + 3 Sentinels), private redis-server
 * processes on free loopback ports. A node cut off goes through relays that
 * the client reaches via natMap, so every node address (Cluster's slot map,
 * Sentinel's answer) leads through a relay the test can cut. Then the
 * primary holding the bus is killed while a node publishes: every change
 * published reaches every node.
 */
if (!redisServerInstalled()) {
  skipSuite(requireServiceInCi("redis-server and redis-cli (binaries)"));
} else {
  const started: RedisTopology[] = [];
  afterAll(async () => {
    for (const topology of started) await topology.close();
  }, 30_000);
  for (const kind of ["cluster", "sentinel"] as const) {
    const topology = await startTopology(kind, { replicas: 1 });
    started.push(topology);
    runChangeBusSuite({
      name:
        kind === "cluster" ? "Redis Cluster (3 primaries)" : "Sentinel (1 primary, 1 replica, 3 Sentinels)",
      redisUrl: topology.url,
      clustered: topology.clustered,
      admin: () => topology.client(),
      deleteKeys: (prefix) => topology.deleteKeys(prefix),
      numsub: (channel) => topology.numsub(channel),
      killClients: (name) => topology.killClients(name),
      cuttable: () => topology.cuttable(),
    });
  }

  describe.each(["cluster", "sentinel"] as const)(
    "change bus through a crash of the primary (%s)",
    (kind) => {
      it("delivers every change published before, during and after the failover to every node, in order", async () => {
        const topology = started.find((t) => t.kind === kind);
        if (topology === undefined) throw new Error(`no ${kind}`);
        const prefix = testPrefix(`bus-failover-${kind}`);
        const nodes: BusNode[] = [];
        try {
          for (const id of ["pub", "n1", "n2"])
            nodes.push(await startBusNode(id, { redisUrl: topology.url, keyPrefix: prefix }));
          const [pub] = nodes;
          if (pub === undefined) throw new Error("no publisher");
          const published: Change[] = [];
          let publishing = true;
          const failedPublishes: string[] = [];
          const loop = (async () => {
            for (let i = 0; publishing; i++) {
              const change = makeChange(`f${i}`);
              published.push(change);
              // publish never throws for an outage: it queues and sends when Redis is back.
              await pub.bus.publish(change).catch((error: unknown) => failedPublishes.push(String(error)));
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          })();
          await new Promise((resolve) => setTimeout(resolve, 500));
          const crashedAt = Date.now();
          await topology.crash(redisBusKeys(prefix, topology.clustered).stream);
          const promotedAfterMs = Date.now() - crashedAt;
          await new Promise((resolve) => setTimeout(resolve, 1000));
          publishing = false;
          await loop;
          const last = published.at(-1);
          if (last === undefined) throw new Error("nothing published");
          await waitUntil(
            "every node to receive every change",
            () =>
              nodes.every((node) => {
                const seen = new Set(node.received.map((change) => change.id));
                return published.every((change) => seen.has(change.id));
              }),
            20_000,
          );
          const caughtUpAfterMs = Date.now() - crashedAt;
          for (const node of nodes) {
            const seen = node.received.map((change) => change.id).filter((id) => id.startsWith("chg_f"));
            expect(new Set(seen).size, node.nodeId).toBe(published.length);
            // Order of one publisher is kept; a change resent after the failover may appear twice (harmless).
            const firstSeen = [...new Set(seen)];
            expect(firstSeen, node.nodeId).toEqual(published.map((change) => change.id));
          }
          expect(failedPublishes).toEqual([]);
          expect((await pub.bus.waitFor(last, 10_000)).complete).toBe(true);
          for (const node of nodes.slice(1)) expect(node.signals.order.at(-1), node.nodeId).toBe("restored");
          console.info(
            `bus through a primary crash (${kind}): ${published.length} changes, all on 3 nodes; ` +
              `replica promoted ${promotedAfterMs} ms after the kill, every node caught up ${caughtUpAfterMs} ms after it`,
          );
        } finally {
          for (const node of nodes) await node.bus.close();
          await topology.deleteKeys(prefix);
        }
      }, 90_000);
    },
  );
}
