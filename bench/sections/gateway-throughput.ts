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

/**
 * (a) Requests/s and p99 through the full gateway path (key parse, SHA-256,
 * cache, route rule, usage, header rewrite) against a bare node:http +
 * undici.Pool proxy to the same upstream. The target is judged on
 * simultaneous rounds (both on their one shared core at once, see
 * `simultaneousRounds`); interleaved sequential rounds, each server alone on
 * core 1 with the upstream and autocannon on core 0, give the full-core
 * numbers, and also load `request-proxy.ts`, the bare proxy written with
 * `pool.request` + `pipe` (see docs/benchmarks.md).
 */
export const gatewayThroughput: BenchSection = {
  name: "gateway-throughput",
  description: "gateway vs bare node:http+undici proxy: req/s and p99 (autocannon, 50 connections)",
  async run(context: BenchContext) {
    const seconds = context.quick ? 2 : 5;
    const rounds = context.quick ? 1 : 3;
    const sharedRounds = context.quick ? 2 : 6;
    const sharedSeconds = context.quick ? 2 : 3;
    const pin = pinCores();
    const children: Child<unknown>[] = [];
    try {
      const upstream = await startUpstream(pin);
      children.push(upstream.child);
      const upstreamUrl = upstream.url;
      const bare = await startServerUnderTest<{ port: number }>("bare-proxy", [upstreamUrl], pin);
      children.push(bare);
      const requestProxy = await startServerUnderTest<{ port: number }>("request-proxy", [upstreamUrl], pin);
      children.push(requestProxy);
      const gateway = await startServerUnderTest<{ port: number; secret: string }>(
        "gateway",
        [upstreamUrl],
        pin,
      );
      children.push(gateway);
      // All get the key header, so all forward the same request.
      const targets = {
        bare: loadTarget(bare, gateway.ready.secret),
        request: loadTarget(requestProxy, gateway.ready.secret),
        gateway: loadTarget(gateway, gateway.ready.secret),
      };
      const order = ["bare", "request", "gateway"] as const;

      context.log(`warming up (${seconds} s each)`);
      await warmUp(targets, order, seconds);

      const measured = await interleavedRounds({
        targets,
        order,
        rounds,
        seconds,
        log: (line) => context.log(line),
      });
      const shared = await simultaneousRounds({
        measured: targets.gateway,
        baseline: targets.bare,
        rounds: sharedRounds,
        seconds: sharedSeconds,
        names: ["gateway", "bare"],
        log: (line) => context.log(line),
      });
      const bareRounds = measured.bare;
      const gatewayRounds = measured.gateway;
      const errors = errorsNote(
        bareRounds,
        measured.request,
        gatewayRounds,
        shared.measured,
        shared.baseline,
      );
      const section = "gateway-throughput";
      const vsBare = roundComparison({
        section,
        measured: { name: "gateway", rounds: gatewayRounds },
        baseline: { name: "bare proxy", rounds: bareRounds },
        average: mean,
        suffix: ", alone",
      });
      const requestVsBare = roundComparison({
        section,
        measured: { name: "pool.request + pipe proxy", rounds: measured.request },
        baseline: { name: "bare proxy", rounds: bareRounds },
        average: mean,
        suffix: ", alone",
      });
      const results = [
        simultaneousComparison({
          section,
          measured: { name: "gateway", rounds: shared.measured },
          baseline: { name: "bare proxy", rounds: shared.baseline },
          target: 0.85,
          note: errors,
        }),
        vsBare.requestsPerSecond,
        vsBare.p99,
        ...(vsBare.cpu === undefined ? [] : [vsBare.cpu]),
        requestVsBare.requestsPerSecond,
      ];
      const facts: BenchFact[] = [
        { section, name: "rounds × seconds per server, alone", value: rounds * seconds, unit: "s" },
        {
          section,
          name: "rounds × seconds, simultaneous",
          value: sharedRounds * sharedSeconds,
          unit: "s",
        },
        { section, name: "proxies pinned to core 1", value: pin ? 1 : 0, unit: "bool" },
      ];
      return { results, facts };
    } finally {
      for (const child of children.reverse()) await child.stop();
    }
  },
};
