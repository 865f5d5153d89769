import { request } from "node:http";
import { type BenchContext, type BenchFact, type BenchSection, mean } from "../lib/bench-result.ts";
import type { Child } from "../lib/child.ts";
import {
  errorsNote,
  interleavedRounds,
  loadTarget,
  pinCores,
  roundComparison,
  simultaneousComparison,
  simultaneousRounds,
  startServerUnderTest,
  startUpstream,
  warmUp,
} from "../lib/interleaved-rounds.ts";

const WHICH = ["plain", "allowlisted"] as const;

/** The status of one GET sent from `localAddress` (127.0.0.2 is loopback too, but not on the list). */
function statusFrom(localAddress: string, port: number, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, localAddress, path: "/v2/daily-ohlcv", headers: { "x-api-key": secret } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/**
 * Per-key IP allowlists on the gateway's hot path: the same gateway, once
 * with a key carrying a 50-entry allowlist (IPv4 and IPv6 ranges, the
 * loopback client last, so every request walks the whole list) and once with
 * no allowlist. Judged on simultaneous rounds (both on their one shared core
 * at once, as in the limits section); sequential rounds give the full-core
 * numbers beside them. Every answer must be a 200: a refused request would
 * show as errors.
 */
export const allowlist: BenchSection = {
  name: "allowlist",
  description:
    "gateway with a 50-entry IP allowlist on the key vs the same gateway without (autocannon, 50 connections)",
  async run(context: BenchContext) {
    const section = "allowlist";
    const seconds = context.quick ? 2 : 3;
    const rounds = context.quick ? 1 : 3;
    const sharedRounds = context.quick ? 4 : 8;
    const pin = pinCores();
    const children: Child<unknown>[] = [];
    try {
      const upstream = await startUpstream(pin);
      children.push(upstream.child);
      const plain = await startServerUnderTest<{ port: number; secret: string }>(
        "allowlist-gateway",
        [upstream.url, "off"],
        pin,
      );
      children.push(plain);
      const allowlisted = await startServerUnderTest<{ port: number; secret: string }>(
        "allowlist-gateway",
        [upstream.url, "on"],
        pin,
      );
      children.push(allowlisted);
      // The list is really checked: the same key from another loopback address is refused.
      const outside = await statusFrom("127.0.0.2", allowlisted.ready.port, allowlisted.ready.secret);
      const inside = await statusFrom("127.0.0.1", allowlisted.ready.port, allowlisted.ready.secret);
      if (outside !== 403 || inside !== 200) {
        throw new Error(`allowlist not enforced: 127.0.0.2 got ${outside}, 127.0.0.1 got ${inside}`);
      }
      const targets = {
        plain: loadTarget(plain, plain.ready.secret),
        allowlisted: loadTarget(allowlisted, allowlisted.ready.secret),
      };
      context.log(`warming up (${seconds} s each)`);
      await warmUp(targets, WHICH, seconds, 2);
      const shared = await simultaneousRounds({
        measured: targets.allowlisted,
        baseline: targets.plain,
        rounds: sharedRounds,
        seconds,
        names: ["allowlisted", "plain"],
        log: (line) => context.log(line),
      });
      const alone = await interleavedRounds({
        targets,
        order: WHICH,
        rounds,
        seconds,
        log: (line) => context.log(line),
      });
      const errors = errorsNote(shared.measured, shared.baseline, alone.plain, alone.allowlisted);
      const sequential = roundComparison({
        section,
        measured: { name: "gateway, 50-entry allowlist", rounds: alone.allowlisted },
        baseline: { name: "gateway, no allowlist", rounds: alone.plain },
        average: mean,
        suffix: ", alone",
      });
      const results = [
        simultaneousComparison({
          section,
          measured: { name: "gateway, 50-entry allowlist", rounds: shared.measured },
          baseline: { name: "gateway, no allowlist", rounds: shared.baseline },
          target: 0.97,
          note: errors,
        }),
        sequential.requestsPerSecond,
        sequential.p99,
      ];
      if (sequential.cpu !== undefined) results.push(sequential.cpu);
      const facts: BenchFact[] = [
        {
          section,
          name: "rounds × seconds per pair, simultaneous",
          value: sharedRounds * seconds,
          unit: "s",
        },
        { section, name: "rounds × seconds per server, alone", value: rounds * seconds, unit: "s" },
        { section, name: "gateways pinned to core 1", value: pin ? 1 : 0, unit: "bool" },
      ];
      return { results, facts };
    } finally {
      for (const child of children.reverse()) await child.stop();
    }
  },
};
