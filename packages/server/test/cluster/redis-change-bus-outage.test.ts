import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { requireServiceInCi } from "../support/postgres.ts";
import { type BusNode, makeChange, startBusNode } from "./support/bus-node.ts";
import { OwnRedisServer, testPrefix, waitUntil } from "./support/redis.ts";

function redisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (!redisServerInstalled()) {
  describe.skip(requireServiceInCi("redis-server (binary)"), () => undefined);
} else {
  describe("RedisChangeBus when Redis goes away (own redis-server, killed and restarted)", () => {
    const nodes: BusNode[] = [];
    let server: OwnRedisServer | undefined;

    afterAll(async () => {
      for (const node of nodes) await node.bus.close();
      await server?.kill();
    });

    it("queues a change published while Redis is down, applies it locally, and delivers it when Redis returns", async () => {
      server = await OwnRedisServer.start();
      const prefix = testPrefix("outage");
      const options = { redisUrl: server.url, keyPrefix: prefix, heartbeatMs: 100, liveAfterMs: 1000 };
      const a = await startBusNode("node-a", options);
      const b = await startBusNode("node-b", options);
      nodes.push(a, b);
      const warm = makeChange("warm");
      await a.bus.publish(warm);
      expect((await a.bus.waitFor(warm, 5000)).complete).toBe(true);

      await server.kill();
      await waitUntil("both nodes to notice", () => a.signals.lost === 1 && b.signals.lost === 1);
      const first = makeChange("outage-1");
      const second = makeChange("outage-2");
      // A revocation's fence, before each commit: applied here, never queued (its commit carries it).
      const fence = { ...makeChange("fence-1"), fence: "revoke" as const };
      await a.bus.publish(fence);
      expect(a.bus.queuedChanges()).toBe(0);
      await a.bus.publish(first);
      await a.bus.publish({ ...fence, id: `${fence.id}-2` });
      await a.bus.publish(second);
      expect(a.bus.queuedChanges()).toBe(2);
      // Committed changes are applied here at once, even though no other node can hear of them yet.
      expect(a.received.map((change) => change.id)).toEqual([
        warm.id,
        fence.id,
        first.id,
        `${fence.id}-2`,
        second.id,
      ]);
      expect(b.received.map((change) => change.id)).toEqual([warm.id]);
      expect(await a.bus.status(first.id)).toEqual({ changeId: first.id, nodes: 2, acknowledged: 0 });
      expect(await a.bus.waitFor(first, 100)).toEqual({
        complete: false,
        status: { changeId: first.id, nodes: 2, acknowledged: 0 },
      });
      expect(a.logger.lines.filter((line) => line.msg?.startsWith("redis unreachable"))).toHaveLength(2);
      await expect(startBusNode("node-late", options)).rejects.toThrow();

      await server.restart();
      await waitUntil("node-b to receive both queued changes", () => b.received.length === 3, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // nothing else arrives: the fences stayed on node-a
      expect(b.received.map((change) => change.id)).toEqual([warm.id, first.id, second.id]);
      await waitUntil(
        "both nodes to acknowledge the queued change",
        async () => (await a.bus.status(second.id))?.acknowledged === 2,
        10_000,
      );
      expect(await a.bus.waitFor(second, 5000)).toEqual({
        complete: true,
        status: { changeId: second.id, nodes: 2, acknowledged: 2 },
      });
      await waitUntil(
        "both nodes to report the bus restored",
        () => a.signals.restored >= 1 && b.signals.restored >= 1,
      );
      // Redis came back empty: the readers' last entry is gone, so the loss is signalled again before resuming.
      for (const node of [a, b]) {
        expect(node.signals.order[0]).toBe("lost");
        expect(node.signals.order[node.signals.order.length - 1]).toBe("restored");
        expect(node.bus.isConnected()).toBe(true);
      }
      expect(a.logger.lines.some((line) => line.msg === "queued changes sent to the bus")).toBe(true);
    });
  });
}
