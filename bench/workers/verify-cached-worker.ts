/**
 * (b) In-process verification of one cached key on one core, against a raw
 * `crypto.hash("sha256", …, "hex")` loop over the same secret. Rounds
 * alternate between the two; the median of each is reported over IPC.
 */
import { hash } from "node:crypto";
import { nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { oneKeyStore } from "../lib/bench-key-world.ts";
import { median } from "../lib/bench-result.ts";

const quick = process.argv.includes("--quick");
const calls = quick ? 500_000 : 2_000_000;
const rounds = quick ? 3 : 7;

const { store, secret } = await oneKeyStore(["read"]);
// A long TTL: the run outlasts the default 30 s safety net, and a refresh would be a (legitimate) miss.
const verifier = new Verifier({ store, clock: systemClock, hasher: nodeHasher, ttlMs: 3_600_000 });
const warm = await verifier.verify(secret, []);
if (!warm.valid) throw new Error(`bench key does not verify: ${warm.code}`);

const NO_SCOPES: readonly string[] = [];
const ONE_SCOPE: readonly string[] = ["read"];

function opsPerSecond(loop: () => number): number {
  const started = process.hrtime.bigint();
  const done = loop();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (done !== calls) throw new Error(`only ${done} of ${calls} calls succeeded`);
  return calls / seconds;
}

function verifyLoop(scopes: readonly string[]): () => number {
  return () => {
    let valid = 0;
    for (let i = 0; i < calls; i++) {
      const outcome = verifier.verify(secret, scopes);
      if (outcome instanceof Promise) throw new Error("cache miss in the hit benchmark");
      if (outcome.valid) valid++;
    }
    return valid;
  };
}

function hashLoop(): number {
  let done = 0;
  for (let i = 0; i < calls; i++) if (hash("sha256", secret, "hex").length === 64) done++;
  return done;
}

const verifyNoScope: number[] = [];
const verifyOneScope: number[] = [];
const hashOnly: number[] = [];
for (let round = 0; round < rounds; round++) {
  hashOnly.push(opsPerSecond(hashLoop));
  verifyNoScope.push(opsPerSecond(verifyLoop(NO_SCOPES)));
  verifyOneScope.push(opsPerSecond(verifyLoop(ONE_SCOPE)));
}
const stats = verifier.stats();
process.send?.({
  verifyNoScope: median(verifyNoScope),
  verifyOneScope: median(verifyOneScope),
  hash: median(hashOnly),
  calls,
  rounds,
  misses: stats.misses,
});
