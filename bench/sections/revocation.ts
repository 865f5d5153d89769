/**
 * Revocation across a cluster: 1 admin + 3 gateway nodes (`keygate start
 * --role …`, real processes) on PostgreSQL + Redis, from `e2e/support/cluster.ts`.
 *
 * 1. One key at a time (200; 50 with --quick), each cached on every gateway
 *    first, then `POST /v1/keys/{id}/revoke`. Latency = the moment the LAST
 *    gateway starts refusing − the start of the revoke call. Revocation is
 *    deny-first: the admin node sends a fence (`<changeId>.fence`) before its
 *    transaction, and a node refuses the key from the moment it applied the
 *    fence. A node writes its acknowledgement (Redis, `change:<id>:acks`, its
 *    clock = this machine's) right after applying, so the fence's
 *    acknowledgement is the moment it refuses; one probe per gateway after
 *    the call returns checks it (counted as a fact), and the committed
 *    change's acknowledgements are printed as a fact too. Baseline, same
 *    samples: the revoke call alone (read, fence, commit, publish, reply).
 *    Cross-check on 50 more keys (20 with --quick), as a client sees it: one
 *    poller per gateway sends the key every ~1 ms from the start of the call
 *    until 401 KEY_REVOKED. Polling costs CPU the admin node and PostgreSQL
 *    need on 2 cores, so it measures a slower system; it is a fact, not the result.
 * 2. Mass revocation: 10,000 keys (2,000 with --quick), every one cached on
 *    every gateway, revoked by one `POST /v1/keys/revoke` (one fence, one
 *    transaction, one change), measured from the fence's publish time (in
 *    Redis) to the last gateway's acknowledgement of it; from the start of the
 *    admin call (which first reads the 10,000 keys) it is printed as a fact,
 *    with the whole call; a sample of the keys is probed on every gateway right
 *    after the call returns. Baseline: single-key publish → refusing on every
 *    gateway (p50, from 1).
 *
 * Probes use a route that needs a scope no bench key has: the gateway
 * verifies the key (cache, validity) and answers 403 SCOPE_DENIED without
 * calling the upstream, then 401 KEY_REVOKED once revoked.
 *
 * Without a reachable PostgreSQL and Redis the section says "skipped".
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { Pool } from "undici";
import { type KeygateCluster, missingClusterServices, startCluster } from "../../e2e/support/cluster.ts";
import { type SeededKey, seedKeys } from "../../e2e/support/seed-keys.ts";
import { fenceIdOf } from "../../packages/server/src/services/revocation-fence.ts";
import {
  type BenchContext,
  type BenchFact,
  type BenchResult,
  type BenchSection,
  result,
} from "../lib/bench-result.ts";

const GATEWAYS = 3;
const PATH = "/v2/trader-grades?symbol=ETH";
/** The scope-guarded probe route (see above): cheap probes perturb what they measure less. */
const PROBE_PATH = "/bench/probe";
/** Polls of one key on one gateway before a revocation is counted as never refused. */
const MAX_POLLS = 5000;
const POLL_PAUSE_MS = 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Status and problem code of one gateway request. */
async function probe(pool: Pool, secret: string, path = PATH): Promise<string> {
  const res = await pool.request({ method: "GET", path, headers: { "x-api-key": secret } });
  const text = await res.body.text();
  if (res.statusCode === 200) return "OK";
  return `${res.statusCode} ${(JSON.parse(text) as { code?: string }).code ?? ""}`;
}

async function warm(pools: readonly Pool[], secrets: readonly string[], concurrency: number) {
  let next = 0;
  const worker = async (pool: Pool) => {
    for (let i = next++; i < secrets.length; i = next++) {
      const secret = secrets[i] ?? "";
      for (let n = 0; n < 2; n++) {
        const answer = await probe(pool, secret, PROBE_PATH);
        if (answer !== "403 SCOPE_DENIED") throw new Error(`warming a key answered ${answer}`);
      }
    }
  };
  for (const pool of pools) {
    next = 0;
    await Promise.all(Array.from({ length: concurrency }, () => worker(pool)));
  }
}

/** Publish time and per-node acknowledgement times of a change, from the bus's records in Redis. */
async function ackTimes(redis: Redis, prefix: string, changeId: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const [at, acks] = await Promise.all([
      redis.hget(`${prefix}change:${changeId}`, "at"),
      redis.hgetall(`${prefix}change:${changeId}:acks`),
    ]);
    const gatewayAcks = Object.entries(acks)
      .filter(([node]) => node.startsWith("gateway-"))
      .map(([, t]) => Number(t));
    if (at !== null && gatewayAcks.length === GATEWAYS) return { at: Number(at), acks: gatewayAcks };
    if (Date.now() > deadline) throw new Error(`change ${changeId}: ${gatewayAcks.length} gateway acks`);
    await sleep(5);
  }
}

async function singleRevocations(
  cluster: KeygateCluster,
  adminPool: Pool,
  pools: readonly Pool[],
  redis: Redis,
  keys: readonly SeededKey[],
  polled: number,
  context: BenchContext,
) {
  const refusal: number[] = [];
  const call: number[] = [];
  const applied: number[] = [];
  const committed: number[] = [];
  const polledRefusal: number[] = [];
  let refusedOnFirstProbe = 0;
  for (const [n, key] of keys.entries()) {
    await warm(pools, [key.secret], 1);
    const poll = n < polled;
    const started = performance.now();
    const startedAt = performance.timeOrigin + started;
    let returnedAt = 0;
    const revoke = adminPool
      .request({
        method: "POST",
        path: `/v1/keys/${key.id}/revoke`,
        headers: { authorization: `Bearer ${cluster.adminToken}` },
      })
      .then(async (res) => {
        const text = await res.body.text();
        returnedAt = performance.now();
        if (res.statusCode !== 200) throw new Error(`revoke answered ${res.statusCode}: ${text}`);
        return (JSON.parse(text) as { propagation: { changeId: string } }).propagation.changeId;
      });
    const refusedAt = poll ? await Promise.all(pools.map((pool) => pollUntilRefused(pool, key))) : [];
    const changeId = await revoke;
    if (poll) {
      polledRefusal.push(Math.max(...refusedAt) - started);
    } else {
      // One probe per gateway once the call has returned: the refusal the acks promise, seen by a client.
      const answers = await Promise.all(pools.map((pool) => probe(pool, key.secret, PROBE_PATH)));
      if (answers.every((answer) => answer === "401 KEY_REVOKED")) refusedOnFirstProbe++;
      call.push(returnedAt - started);
      const fence = await ackTimes(redis, cluster.redisPrefix, fenceIdOf(changeId));
      refusal.push(Math.max(...fence.acks) - startedAt);
      const change = await ackTimes(redis, cluster.redisPrefix, changeId);
      committed.push(Math.max(...change.acks) - startedAt);
    }
    const { at, acks } = await ackTimes(redis, cluster.redisPrefix, fenceIdOf(changeId));
    applied.push(Math.max(...acks) - at);
    if ((n + 1) % 50 === 0) context.log(`${n + 1}/${keys.length} revocations`);
  }
  const sort = (values: number[]) => values.sort((a, b) => a - b);
  return {
    refusal: sort(refusal),
    call: sort(call),
    applied: sort(applied),
    committed: sort(committed),
    polledRefusal: sort(polledRefusal),
    refusedOnFirstProbe,
  };
}

/** Sends the key to one gateway, 1 ms apart, until it is refused; returns when (performance.now()). */
async function pollUntilRefused(pool: Pool, key: SeededKey): Promise<number> {
  for (let i = 0; i < MAX_POLLS; i++) {
    const answer = await probe(pool, key.secret, PROBE_PATH);
    if (answer === "401 KEY_REVOKED") return performance.now();
    if (answer !== "403 SCOPE_DENIED") throw new Error(`a poll answered ${answer}`);
    await sleep(POLL_PAUSE_MS);
  }
  throw new Error(`key ${key.id} still accepted after ${MAX_POLLS} polls`);
}

async function massRevocation(
  cluster: KeygateCluster,
  pools: readonly Pool[],
  redis: Redis,
  keys: readonly SeededKey[],
  context: BenchContext,
) {
  context.log(`caching ${keys.length.toLocaleString("en-US")} keys on each of ${GATEWAYS} gateways`);
  await warm(
    pools,
    keys.map((key) => key.secret),
    8,
  );
  context.log("revoking them in one call");
  const started = performance.now();
  const startedAt = performance.timeOrigin + started;
  const res = await cluster.admin<{ revoked: number; propagation: { changeId: string } }>(
    "POST",
    "/v1/keys/revoke",
    { keyIds: keys.map((key) => key.id), reason: "bench" },
  );
  const callMs = performance.now() - started;
  if (res.status !== 200 || res.body.revoked !== keys.length)
    throw new Error(`mass revocation answered ${res.status}: ${JSON.stringify(res.body)}`);
  // Right after the call returns: a sample of the keys, on every gateway, in parallel.
  const sample = keys.filter((_, i) => i % Math.ceil(keys.length / 50) === 0);
  const probed = await Promise.all(
    pools.map(async (pool) => {
      for (const key of sample) {
        const answer = await probe(pool, key.secret, PROBE_PATH);
        if (answer !== "401 KEY_REVOKED") return false;
      }
      return true;
    }),
  );
  const probedAt = performance.timeOrigin + performance.now();
  const { at, acks } = await ackTimes(redis, cluster.redisPrefix, fenceIdOf(res.body.propagation.changeId));
  return {
    appliedMs: Math.max(...acks) - at,
    callToRefusingMs: Math.max(...acks) - startedAt,
    callMs,
    sampleRefusedEverywhere: probed.every(Boolean),
    sampleSize: sample.length,
    probedAfterPublishMs: probedAt - at,
  };
}

export const revocation: BenchSection = {
  name: "revocation",
  description: `revoke → refused on all ${GATEWAYS} gateway processes (PostgreSQL + Redis), and a mass revocation`,
  async run(context: BenchContext) {
    const missing = await missingClusterServices();
    if (missing !== null) {
      context.log(`skipped: ${missing} not reachable`);
      return { results: [], facts: [] };
    }
    const count = context.quick ? 50 : 200;
    const polled = context.quick ? 20 : 50;
    const massCount = context.quick ? 2000 : 10_000;
    const configDir = await mkdtemp(join(tmpdir(), "keygate-bench-revocation-"));
    const configFile = join(configDir, "keygate.json");
    await writeFile(
      configFile,
      JSON.stringify({
        routes: [{ method: "GET", path: PROBE_PATH, scopes: ["bench:probe"] }],
        // Every revoked probe is a 401 from 127.0.0.1: the per-IP throttle (429 past 300 a minute) must not answer instead.
        alerts: { throttleFailuresPerMinute: 0 },
      }),
    );
    context.log(`starting 1 admin + ${GATEWAYS} gateway nodes`);
    const cluster = await startCluster({
      gateways: GATEWAYS,
      admins: 1,
      label: "bench_revocation",
      env: { KEYGATE_LOG_LEVEL: "warn", KEYGATE_CONFIG: configFile },
    });
    const pools = cluster.gateways.map((g) => new Pool(g.gatewayUrl ?? "", { connections: 8 }));
    // Revoke calls go over a kept-alive connection, as a CLI or dashboard session makes them.
    const adminPool = new Pool(cluster.adminUrl, { connections: 1 });
    const redis = new Redis(cluster.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await cluster.waitForRegistry();
      const consumer = await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "bench" });
      const keys = await seedKeys(cluster.databaseUrl, consumer.body.id, count + polled);
      context.log(`${polled} polled + ${count} revocations, one at a time`);
      const single = await singleRevocations(cluster, adminPool, pools, redis, keys, polled, context);
      const massConsumer = await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "mass" });
      const massKeys = await seedKeys(cluster.databaseUrl, massConsumer.body.id, massCount);
      const mass = await massRevocation(cluster, pools, redis, massKeys, context);
      return report(single, mass, massCount);
    } finally {
      redis.disconnect();
      await Promise.all([...pools, adminPool].map((pool) => pool.close()));
      await cluster.stop();
      await rm(configDir, { recursive: true, force: true });
    }
  },
};

function report(
  single: Awaited<ReturnType<typeof singleRevocations>>,
  mass: Awaited<ReturnType<typeof massRevocation>>,
  massCount: number,
) {
  const section = "revocation";
  const latency = { section, unit: "ms", higherIsBetter: false, targetOn: "value" as const };
  const results: BenchResult[] = [
    result({
      ...latency,
      name: "revoke → refusing on all 3, p50",
      value: percentile(single.refusal, 50),
      baselineName: "revoke call alone p50",
      baseline: percentile(single.call, 50),
      note: "anchors: Kong polls its database every 5 s by default; Tyk 10 s, Unkey ~10 s, Zuplo 60 s (as cited in the issue)",
    }),
    result({
      ...latency,
      name: "revoke → refusing on all 3, p99",
      value: percentile(single.refusal, 99),
      baselineName: "revoke call alone p99",
      baseline: percentile(single.call, 99),
      target: 10,
    }),
    result({
      ...latency,
      name: `${massCount.toLocaleString("en-US")} keys: publish → refusing on all 3`,
      value: mass.appliedMs,
      baselineName: "1 key publish → refusing p50",
      baseline: Math.max(1, percentile(single.applied, 50)),
      target: 100,
      note: mass.sampleRefusedEverywhere
        ? `a sample of ${mass.sampleSize} keys refused on every gateway right after the call returned`
        : "SAMPLE STILL ACCEPTED somewhere after the call returned",
    }),
  ];
  const facts: BenchFact[] = [
    { section, name: "revocations measured by acknowledgement", value: single.refusal.length, unit: "keys" },
    {
      section,
      name: "of those, refused on all 3 by the first probe after the call",
      value: single.refusedOnFirstProbe,
      unit: "keys",
    },
    {
      section,
      name: "1 key publish → refusing on all 3, p50",
      value: percentile(single.applied, 50),
      unit: "ms",
    },
    {
      section,
      name: "1 key publish → refusing on all 3, p99",
      value: percentile(single.applied, 99),
      unit: "ms",
    },
    {
      section,
      name: "revoke → committed change applied on all 3 (after the fence), p50",
      value: percentile(single.committed, 50),
      unit: "ms",
    },
    {
      section,
      name: "revoke → committed change applied on all 3 (after the fence), p99",
      value: percentile(single.committed, 99),
      unit: "ms",
    },
    {
      section,
      name: `polled (${single.polledRefusal.length} keys): call → last gateway refuses, p50`,
      value: percentile(single.polledRefusal, 50),
      unit: "ms",
    },
    {
      section,
      name: `polled (${single.polledRefusal.length} keys): call → last gateway refuses, max`,
      value: percentile(single.polledRefusal, 100),
      unit: "ms",
    },
    {
      section,
      name: "mass revocation admin call (read, fence, commit, publish)",
      value: mass.callMs,
      unit: "ms",
    },
    {
      section,
      name: "mass revocation: call → refusing on all 3 (keys read, then fenced)",
      value: mass.callToRefusingMs,
      unit: "ms",
    },
    {
      section,
      name: "mass revocation: fence publish → sample probed on all 3",
      value: mass.probedAfterPublishMs,
      unit: "ms",
    },
  ];
  return { results, facts };
}
