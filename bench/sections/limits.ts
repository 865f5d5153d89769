import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { type BenchContext, type BenchFact, type BenchSection, mean, median } from "../lib/bench-result.ts";
import type { Child } from "../lib/child.ts";
import {
  errorsNote,
  interleavedRounds,
  loadTarget,
  perRoundRatios,
  pinCores,
  roundComparison,
  simultaneousComparison,
  simultaneousRounds,
  startServerUnderTest,
  startUpstream,
  warmUp,
} from "../lib/interleaved-rounds.ts";

const REDIS_URL =
  process.env.KEYGATE_BENCH_REDIS_URL ?? process.env.KEYGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const WHICH = ["bare", "plain", "limited"] as const;

async function redisAvailable(): Promise<Redis | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

/** `keygate_limits_counter_takes_total` from a gateway's internal metrics listener (never its public port). */
async function counterTakes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^keygate_limits_counter_takes_total (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Gateway throughput with rate limits and quotas on Redis (every request
 * charged to a rate window and a monthly quota, leased from Redis) against
 * the bare node:http + undici.Pool proxy, and against the same gateway
 * without limits. The target is judged on simultaneous rounds (the limited
 * gateway and the baseline loaded at once on their one shared core, see
 * `simultaneousRounds`); sequential rounds, each server alone on the core,
 * give the full-core numbers beside them. Skipped (a fact says so) when Redis
 * is unreachable.
 */
export const limits: BenchSection = {
  name: "limits",
  description:
    "gateway with Redis-backed rate limit + quota vs bare node:http+undici proxy (autocannon, 50 connections)",
  async run(context: BenchContext) {
    const section = "limits";
    const redis = await redisAvailable();
    if (redis === undefined) {
      context.log(`Redis not reachable at ${REDIS_URL}: section skipped`);
      return {
        results: [],
        facts: [{ section, name: "skipped: Redis not reachable", value: 0, unit: "bool" }],
      };
    }
    const seconds = context.quick ? 2 : 3;
    const rounds = context.quick ? 1 : 4;
    const sharedRounds = context.quick ? 2 : 8;
    const pin = pinCores();
    const prefix = `kgbench:limits:${process.pid}:${randomBytes(3).toString("hex")}:`;
    const children: Child<unknown>[] = [];
    try {
      const upstream = await startUpstream(pin);
      children.push(upstream.child);
      const upstreamUrl = upstream.url;
      const bare = await startServerUnderTest<{ port: number }>("bare-proxy", [upstreamUrl], pin);
      children.push(bare);
      const limited = await startServerUnderTest<{ port: number; secret: string; metricsPort: number }>(
        "limited-gateway",
        [upstreamUrl, REDIS_URL, prefix],
        pin,
      );
      children.push(limited);
      // The same gateway without limits: the difference to it is the price of the limits alone.
      const plain = await startServerUnderTest<{ port: number; secret: string }>(
        "gateway",
        [upstreamUrl],
        pin,
      );
      children.push(plain);
      // The bare proxy gets the limited gateway's key header too, so it forwards the same request.
      const targets = {
        bare: loadTarget(bare, limited.ready.secret),
        plain: loadTarget(plain, plain.ready.secret),
        limited: loadTarget(limited, limited.ready.secret),
      };

      // Two warm-up loads each: the limited gateway's decision path takes longer than one to reach steady state.
      const warmups = context.quick ? 1 : 2;
      context.log(`warming up (${warmups} × ${seconds} s each)`);
      await warmUp(targets, WHICH, seconds, warmups);
      const takesBefore = await counterTakes(limited.ready.metricsPort);

      const measured = await interleavedRounds({
        targets,
        order: WHICH,
        rounds,
        seconds,
        log: (line) => context.log(line),
      });
      const shared = async (baseline: "bare" | "plain") =>
        simultaneousRounds({
          measured: targets.limited,
          baseline: targets[baseline],
          rounds: sharedRounds,
          seconds,
          names: ["limited", baseline],
          log: (line) => context.log(line),
        });
      const withBare = await shared("bare");
      const withPlain = await shared("plain");
      const takes = (await counterTakes(limited.ready.metricsPort)) - takesBefore;

      const bareRounds = measured.bare;
      const limitedRounds = measured.limited;
      const plainRounds = measured.plain;
      const limitedRequests = [...limitedRounds, ...withBare.measured, ...withPlain.measured].reduce(
        (sum, r) => sum + r.requests,
        0,
      );
      const errors = errorsNote(
        bareRounds,
        plainRounds,
        limitedRounds,
        withBare.measured,
        withBare.baseline,
        withPlain.measured,
        withPlain.baseline,
      );
      const limitedSide = { name: "limited gateway", rounds: limitedRounds };
      const vsBare = roundComparison({
        section,
        measured: limitedSide,
        baseline: { name: "bare proxy", rounds: bareRounds },
        average: mean,
        suffix: ", alone",
      });
      const vsPlain = roundComparison({
        section,
        measured: limitedSide,
        baseline: { name: "gateway without limits", rounds: plainRounds },
        average: mean,
        suffix: " vs no limits, alone",
      });
      const results = [
        simultaneousComparison({
          section,
          measured: { name: "limited gateway", rounds: withBare.measured },
          baseline: { name: "bare proxy", rounds: withBare.baseline },
          target: 0.75,
          note: errors,
        }),
        simultaneousComparison({
          section,
          measured: { name: "limited gateway", rounds: withPlain.measured },
          baseline: { name: "gateway without limits", rounds: withPlain.baseline },
        }),
        vsBare.requestsPerSecond,
        vsPlain.requestsPerSecond,
        vsBare.p99,
      ];
      if (vsBare.cpu !== undefined && vsPlain.cpu !== undefined) results.push(vsBare.cpu, vsPlain.cpu);
      const facts: BenchFact[] = [
        {
          section,
          name: "limited vs bare proxy, alone: median of the per-round ratios (same rotation)",
          value: median(perRoundRatios(limitedRounds, bareRounds)),
          unit: "×",
        },
        {
          section,
          name: "Redis round trips (lease takes) per 1,000 requests",
          value: (takes * 1000) / limitedRequests,
          unit: "",
        },
        { section, name: "rounds × seconds per server, alone", value: rounds * seconds, unit: "s" },
        {
          section,
          name: "rounds × seconds per pair, simultaneous",
          value: sharedRounds * seconds,
          unit: "s",
        },
        { section, name: "proxies pinned to core 1", value: pin ? 1 : 0, unit: "bool" },
      ];
      return { results, facts };
    } finally {
      for (const child of children.reverse()) await child.stop();
      await deletePrefix(redis, prefix).catch(() => undefined);
      redis.disconnect();
    }
  },
};
