/**
 * (c) The verification cache holding 1,000,000 keys: memory it takes, and
 * per-call latency of a cached verification in random key order, against
 * the same timing of a raw `crypto.hash` over the same secrets. Needs
 * `--expose-gc` for clean heap readings.
 */
import { hash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { generateKeySecret } from "@keygate/core";
import { cryptoRandom, nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { HashIndexStore } from "../lib/bench-key-world.ts";

const quick = process.argv.includes("--quick");
const keys = quick ? 200_000 : 1_000_000;
const samples = quick ? 300_000 : 1_000_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");
function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage();
}

const secrets: string[] = new Array(keys);
for (let i = 0; i < keys; i++) secrets[i] = generateKeySecret(cryptoRandom, "live");
const store = new HashIndexStore(secrets.map((secret) => nodeHasher.sha256Hex(secret)));

// The store's index stays alive throughout, so the difference below is what the verifier holds.
const before = settle();
const verifier = new Verifier({
  store,
  clock: systemClock,
  hasher: nodeHasher,
  capacity: keys,
  ttlMs: 3_600_000,
});
for (let start = 0; start < keys; start += 10_000) {
  const batch = secrets.slice(start, start + 10_000).map((secret) => verifier.verify(secret, []));
  const outcomes = await Promise.all(batch);
  if (outcomes.some((outcome) => !outcome.valid)) throw new Error("a bench key did not verify");
}
const after = settle();
const stats = verifier.stats();
if (stats.entries !== keys) throw new Error(`expected ${keys} entries, have ${stats.entries}`);

// Random key order, fixed in advance so both loops walk the same sequence.
const order = new Uint32Array(samples);
for (let i = 0; i < samples; i++) order[i] = Math.floor(Math.random() * keys);

function timed(call: (secret: string) => unknown): Float64Array {
  const latencies = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const secret = secrets[order[i] ?? 0] ?? "";
    const started = performance.now();
    call(secret);
    latencies[i] = performance.now() - started;
  }
  return latencies.sort();
}

function percentile(sorted: Float64Array, p: number): number {
  return (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 1000; // µs
}

function throughput(call: (secret: string) => unknown): number {
  const started = performance.now();
  for (let i = 0; i < samples; i++) call(secrets[order[i] ?? 0] ?? "");
  return samples / ((performance.now() - started) / 1000);
}

const NO_SCOPES: readonly string[] = [];
const verify = (secret: string) => {
  const outcome = verifier.verify(secret, NO_SCOPES);
  if (outcome instanceof Promise || !outcome.valid) throw new Error("not a cached valid key");
};
const rawHash = (secret: string) => hash("sha256", secret, "hex");

// Warm both paths, then alternate.
timed(verify);
timed(rawHash);
const verifyLatency = timed(verify);
const hashLatency = timed(rawHash);
const verifyOps = throughput(verify);
const hashOps = throughput(rawHash);

process.send?.({
  keys,
  samples,
  heapBytes: after.heapUsed - before.heapUsed,
  arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
  rssBytes: after.rss - before.rss,
  columnBytes: stats.columnBytes,
  verify: {
    p50: percentile(verifyLatency, 0.5),
    p99: percentile(verifyLatency, 0.99),
    p999: percentile(verifyLatency, 0.999),
  },
  hash: {
    p50: percentile(hashLatency, 0.5),
    p99: percentile(hashLatency, 0.99),
    p999: percentile(hashLatency, 0.999),
  },
  verifyOps,
  hashOps,
});
