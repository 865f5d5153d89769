import { PartialCounterAddError } from "@keygate/core";
import { afterAll, describe, expect, it } from "vitest";
import { RedisCounterStore } from "../../src/cluster/redis/counters/redis-counter-store.ts";
import { testPrefix } from "../cluster/support/redis.ts";
import {
  type RedisTopology,
  redisServerInstalled,
  startTopology,
} from "../cluster/support/redis-topologies.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { runCounterStoreContract } from "./counter-store.contract.ts";

/**
 * The CounterStore contract on a real 3-primary Redis Cluster and on a
 * Sentinel-managed primary (private redis-server processes on free loopback
 * ports), plus what only Cluster needs: calls that span consumers (one slot
 * each) and a re-sync that lands part-way.
 */

async function waitFor(attempt: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await attempt())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const wait = (at: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

if (!redisServerInstalled()) {
  skipSuite(requireServiceInCi("redis-server and redis-cli (binaries)"));
} else {
  const topologies: RedisTopology[] = [];
  const stores: RedisCounterStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const topology of topologies) await topology.close();
  }, 30_000);
  for (const kind of ["cluster", "sentinel"] as const) {
    const topology = await startTopology(kind);
    topologies.push(topology);
    const open = async (prefix = testPrefix(`counters-${kind}`)) => {
      const store = new RedisCounterStore({ redisUrl: topology.url, keyPrefix: prefix });
      await store.connect();
      stores.push(store);
      return store;
    };
    runCounterStoreContract({ name: `redis ${kind}`, create: () => open(), expire: wait });
  }

  describe("RedisCounterStore on Redis Cluster: consumers spread over slots", () => {
    const cluster = () => {
      const found = topologies.find((t) => t.kind === "cluster");
      if (found === undefined) throw new Error("no cluster");
      return found;
    };

    it("keeps each consumer's counters in one slot, spreads consumers over every primary, and reads, adds and releases across them", async () => {
      const prefix = testPrefix("counters-spread");
      const store = new RedisCounterStore({ redisUrl: cluster().url, keyPrefix: prefix });
      await store.connect();
      stores.push(store);
      const consumers = Array.from({ length: 30 }, (_, i) => `con_${i}`);
      const far = Date.now() + 600_000;
      await store.add(
        consumers.flatMap((c, i) => [
          { key: `${c}:q:month:1`, units: i + 1, expiresAt: far },
          { key: `${c}:r:60:1`, units: 1, expiresAt: far },
        ]),
      );
      const keys = consumers.flatMap((c) => [`${c}:q:month:1`, `${c}:r:60:1`]);
      expect(await store.read(keys)).toEqual(consumers.flatMap((_, i) => [i + 1, 1]));
      await store.release(consumers.map((c) => ({ key: `${c}:q:month:1`, units: 1 })));
      expect(await store.read(consumers.map((c) => `${c}:q:month:1`))).toEqual(consumers.map((_, i) => i));

      const primaries = await cluster().primaries();
      try {
        const holding = await Promise.all(
          primaries.map(async (redis) => (await redis.keys(`${prefix}*`)).length),
        );
        // 60 keys over 3 primaries: each holds some, and a consumer's two keys sit together.
        expect(
          holding.every((n) => n > 0),
          JSON.stringify(holding),
        ).toBe(true);
        for (const redis of primaries) {
          const here = await redis.keys(`${prefix}*`);
          for (const key of here) {
            const consumer = key.match(/\{(con_\d+)\}/)?.[1];
            expect(here).toContain(`${prefix}limits:{${consumer}}:q:month:1`);
            expect(here).toContain(`${prefix}limits:{${consumer}}:r:60:1`);
          }
        }
      } finally {
        for (const redis of primaries) redis.disconnect();
      }
    });

    it("refuses a take that spans consumers instead of running it non-atomically", async () => {
      const store = await (async () => {
        const s = new RedisCounterStore({ redisUrl: cluster().url, keyPrefix: testPrefix("counters-span") });
        await s.connect();
        stores.push(s);
        return s;
      })();
      const draw = (key: string) => ({
        key,
        limit: 5,
        min: 1,
        max: 1,
        share: 1,
        expiresAt: Date.now() + 60_000,
      });
      await expect(store.take([draw("con_a:r"), draw("con_b:r")])).rejects.toThrow(/spans consumers/);
    });

    it("reports the part of an add that landed when one slot's primary is unreachable; the retry of the rest counts each unit once", async () => {
      const relay = await cluster().cuttable();
      const prefix = testPrefix("counters-partial");
      const direct = new RedisCounterStore({ redisUrl: cluster().url, keyPrefix: prefix });
      await direct.connect();
      stores.push(direct);
      const store = new RedisCounterStore({ redisUrl: relay.url, keyPrefix: prefix, natMap: relay.natMap });
      await store.connect();
      stores.push(store);
      try {
        const far = Date.now() + 600_000;
        const adds = Array.from({ length: 12 }, (_, i) => ({ key: `con_p${i}:q`, units: 1, expiresAt: far }));
        await store.add(adds);
        // The primary holding con_p0's counters becomes unreachable for this store only.
        const lost = await cluster().primaryPortOf(`${prefix}limits:{con_p0}:q`);
        relay.cutNode(lost);
        const error = await store.add(adds).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (!(error instanceof PartialCounterAddError))
          throw new Error(`expected a partial add, got ${String(error)}`);
        const landed = new Set(error.applied.map((a) => a.key));
        expect(landed.has("con_p0:q")).toBe(false);
        expect(landed.size).toBeGreaterThan(0);
        expect(landed.size).toBeLessThan(12);
        expect(await direct.read(adds.map((a) => a.key))).toEqual(
          adds.map((a) => (landed.has(a.key) ? 2 : 1)),
        );
        // The retry the limiter makes: only what did not land. Every counter ends at exactly 2.
        relay.restore();
        let rest = adds.filter((a) => !landed.has(a.key));
        await waitFor(async () => {
          try {
            await store.add(rest);
            return true;
          } catch (retryError) {
            // The relay may still be reconnecting: what landed now is left out of the next try too.
            if (retryError instanceof PartialCounterAddError) {
              const now = new Set(retryError.applied.map((a) => a.key));
              rest = rest.filter((a) => !now.has(a.key));
            }
            return false;
          }
        });
        expect(await direct.read(adds.map((a) => a.key))).toEqual(adds.map(() => 2));
      } finally {
        relay.restore();
        await relay.close();
      }
    });
  });
}
