/**
 * The analytics work the gateway adds per request, in isolation: a cached
 * verification alone, against the same verification through the
 * `TimedVerifier` plus `UsageRecorder.record` and the failure guard's
 * throttling check — what the success path of a request pays with
 * analytics on. Rounds alternate; medians of ns per request go over IPC.
 */
import { AuthFailureGuard } from "../../packages/server/src/alerts/auth-failure-guard.ts";
import { TimedVerifier } from "../../packages/server/src/metrics/timed-verifier.ts";
import { VerificationMetrics } from "../../packages/server/src/metrics/verification-metrics.ts";
import { nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { oneKeyStore } from "../lib/bench-key-world.ts";
import { median } from "../lib/bench-result.ts";

const quick = process.argv.includes("--quick");
const calls = quick ? 300_000 : 1_000_000;
const rounds = quick ? 3 : 7;

const { store, secret } = await oneKeyStore(["read"]);
const verifier = new Verifier({ store, clock: systemClock, hasher: nodeHasher, ttlMs: 3_600_000 });
const warm = await verifier.verify(secret, []);
if (!warm.valid) throw new Error(`bench key does not verify: ${warm.code}`);
const timed = new TimedVerifier(verifier, new VerificationMetrics());
// Counts stay in memory here: persisting them happens once a second, off the request path.
const usage = new UsageRecorder({ store, flushIntervalMs: 3_600_000 });
const guard = new AuthFailureGuard({ spikePerMinute: 100, throttlePerMinute: 300 });
const SCOPES: readonly string[] = ["read"];

function nsPerCall(loop: () => number): number {
  const started = process.hrtime.bigint();
  const done = loop();
  const ns = Number(process.hrtime.bigint() - started);
  if (done !== calls) throw new Error(`only ${done} of ${calls} calls succeeded`);
  return ns / calls;
}

function plain(): number {
  let valid = 0;
  for (let i = 0; i < calls; i++) {
    const outcome = verifier.verify(secret, SCOPES);
    if (outcome instanceof Promise) throw new Error("cache miss");
    if (outcome.valid) valid++;
  }
  return valid;
}

function withAnalytics(): number {
  let valid = 0;
  for (let i = 0; i < calls; i++) {
    if (guard.throttling) throw new Error("throttled");
    const outcome = timed.verify(secret, SCOPES);
    if (outcome instanceof Promise) throw new Error("cache miss");
    usage.record(outcome.keyId, systemClock.now(), outcome.code);
    if (outcome.valid) valid++;
  }
  return valid;
}

const without: number[] = [];
const withIt: number[] = [];
for (let round = 0; round < rounds; round++) {
  without.push(nsPerCall(plain));
  withIt.push(nsPerCall(withAnalytics));
}
await usage.close();
process.send?.({ plainNs: median(without), analyticsNs: median(withIt), calls, rounds });
