/**
 * Cluster change propagation: how long from `publish` of a change until every
 * node has applied and acknowledged it (`waitFor` resolves complete), with
 * three RedisChangeBus nodes in this process, each with its own connections,
 * on a real Redis (`KEYGATE_BENCH_REDIS_URL`, default redis://127.0.0.1:6379).
 * Changes are published one at a time (the admin API's `?wait=true` shape).
 *
 * Baseline, same run, same Redis: a PING round trip. The propagation path is
 * about four of those (publish script, XREAD wake-up, ack pipeline + pub/sub,
 * status read), so the ratio shows the bus's cost in round trips.
 *
 * Without a reachable Redis the section reports nothing and says "skipped".
 * Keys live under a fresh prefix and are deleted afterwards.
 */
import { randomBytes } from "node:crypto";
import type { Change } from "@keygate/core";
import { Redis } from "ioredis";
import { RedisChangeBus } from "../../packages/server/src/cluster/redis/redis-change-bus.ts";
import { systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { type BenchContext, type BenchSection, result } from "../lib/bench-result.ts";

const REDIS_URL = process.env.KEYGATE_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const NODES = 3;

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function change(i: number): Change {
  const id = `chg_bench${i}_${randomBytes(6).toString("hex")}`;
  return { id, at: Date.now(), keyIds: [`key_bench${i}`], consumerIds: [], hashes: [], all: false };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

async function pingLatencies(redis: Redis, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await redis.ping();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

async function propagationLatencies(prefix: string, count: number, context: BenchContext) {
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const buses: RedisChangeBus[] = [];
  try {
    for (let n = 0; n < NODES; n++) {
      const bus = new RedisChangeBus({
        redisUrl: REDIS_URL,
        nodeId: `bench-${n}`,
        role: "all",
        clock: systemClock,
        logger: silent,
        keyPrefix: prefix,
      });
      bus.subscribe(() => undefined);
      await bus.start();
      buses.push(bus);
    }
    const publisher = buses[0];
    if (publisher === undefined) throw new Error("no bus");
    const samples: number[] = [];
    let incomplete = 0;
    for (let i = 0; i < count; i++) {
      const next = change(i);
      const started = performance.now();
      await publisher.publish(next);
      const outcome = await publisher.waitFor(next, 5000);
      samples.push(performance.now() - started);
      if (!outcome.complete || outcome.status.acknowledged !== NODES) incomplete++;
    }
    if (incomplete > 0) context.log(`${incomplete} changes were not acknowledged by all ${NODES} nodes`);
    return { samples: samples.sort((a, b) => a - b), incomplete };
  } finally {
    for (const bus of buses) await bus.close();
  }
}

/** Publish → acknowledged by every node, p50 and p99, vs a Redis PING round trip. */
export const propagation: BenchSection = {
  name: "propagation",
  description: `publish → all ${NODES} nodes acknowledged, RedisChangeBus on a real Redis, vs PING round trip`,
  async run(context: BenchContext) {
    const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    admin.on("error", () => undefined);
    try {
      await admin.connect();
    } catch {
      admin.disconnect();
      context.log(`skipped: Redis not reachable at ${REDIS_URL}`);
      return { results: [], facts: [] };
    }
    const prefix = `kgbench:${process.pid}:${randomBytes(4).toString("hex")}:`;
    const count = context.quick ? 50 : 300;
    try {
      context.log(`PING round trips (baseline)`);
      const ping = await pingLatencies(admin, count * 4);
      context.log(`${count} changes across ${NODES} nodes`);
      const { samples, incomplete } = await propagationLatencies(prefix, count, context);
      const section = "propagation";
      const common = { section, unit: "ms", higherIsBetter: false, targetOn: "value" as const };
      return {
        results: [
          result({
            ...common,
            name: "publish → all acked, p50",
            value: percentile(samples, 50),
            baselineName: "PING p50",
            baseline: percentile(ping, 50),
            target: 5,
          }),
          result({
            ...common,
            name: "publish → all acked, p99",
            value: percentile(samples, 99),
            baselineName: "PING p99",
            baseline: percentile(ping, 99),
            target: 20,
          }),
        ],
        facts: [
          { section, name: "changes measured", value: samples.length, unit: "changes" },
          { section, name: "changes not acknowledged by every node", value: incomplete, unit: "changes" },
        ],
      };
    } finally {
      await deleteKeys(admin, prefix);
      await admin.quit();
    }
  },
};
