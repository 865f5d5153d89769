import { type BenchContext, type BenchFact, type BenchSection, mean } from "../lib/bench-result.ts";
import type { Child } from "../lib/child.ts";
import {
  interleavedRounds,
  loadTarget,
  pinCores,
  roundComparison,
  startServerUnderTest,
  startUpstream,
  warmUp,
} from "../lib/interleaved-rounds.ts";

/**
 * (a) Requests/s and p99 through the full gateway path (key parse, SHA-256,
 * cache, route rule, usage, header rewrite) against a bare node:http +
 * undici.Pool proxy to the same upstream, in interleaved rounds so drift in
 * the machine's load hits both alike. Each server is its own process; with
 * two cores the proxy under test gets core 1 to itself, the upstream and
 * autocannon share core 0 (see docs/benchmarks.md).
 */
export const gatewayThroughput: BenchSection = {
  name: "gateway-throughput",
  description: "gateway vs bare node:http+undici proxy: req/s and p99 (autocannon, 50 connections)",
  async run(context: BenchContext) {
    const seconds = context.quick ? 2 : 5;
    const rounds = context.quick ? 1 : 3;
    const pin = pinCores();
    const children: Child<unknown>[] = [];
    try {
      const upstream = await startUpstream(pin);
      children.push(upstream.child);
      const upstreamUrl = upstream.url;
      const bare = await startServerUnderTest<{ port: number }>("bare-proxy", [upstreamUrl], pin);
      children.push(bare);
      const gateway = await startServerUnderTest<{ port: number; secret: string }>(
        "gateway",
        [upstreamUrl],
        pin,
      );
      children.push(gateway);
      // Both get the key header, so both forward the same request.
      const targets = {
        bare: loadTarget(bare, gateway.ready.secret),
        gateway: loadTarget(gateway, gateway.ready.secret),
      };
      const order = ["bare", "gateway"] as const;

      context.log(`warming up (${seconds} s each)`);
      await warmUp(targets, order, seconds);

      const measured = await interleavedRounds({
        targets,
        order,
        rounds,
        seconds,
        log: (line) => context.log(line),
      });
      const bareRounds = measured.bare;
      const gatewayRounds = measured.gateway;
      const errors = [...bareRounds, ...gatewayRounds].reduce((sum, r) => sum + r.errors, 0);
      const section = "gateway-throughput";
      const vsBare = roundComparison({
        section,
        measured: { name: "gateway", rounds: gatewayRounds },
        baseline: { name: "bare proxy", rounds: bareRounds },
        average: mean,
        target: 0.85,
        note: errors > 0 ? `${errors} errors/non-2xx` : undefined,
      });
      const results = [
        vsBare.requestsPerSecond,
        vsBare.p99,
        ...(vsBare.cpu === undefined ? [] : [vsBare.cpu]),
      ];
      const facts: BenchFact[] = [
        { section, name: "rounds × seconds per server", value: rounds * seconds, unit: "s" },
        { section, name: "proxies pinned to core 1", value: pin ? 1 : 0, unit: "bool" },
      ];
      return { results, facts };
    } finally {
      for (const child of children.reverse()) await child.stop();
    }
  },
};
