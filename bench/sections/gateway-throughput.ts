import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { type BenchContext, type BenchFact, type BenchSection, mean, result } from "../lib/bench-result.ts";
import { type Child, cpuSeconds, startChild } from "../lib/child.ts";

const servers = (name: string) => fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));

interface Round {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly cpuMicrosPerRequest: number | undefined;
  readonly errors: number;
}

/** One autocannon run against `port`, with the proxy's CPU time per request from /proc. */
async function load(port: number, pid: number | undefined, seconds: number, headers: Record<string, string>) {
  const cpuBefore = await cpuSeconds(pid);
  const run = await autocannon({
    url: `http://127.0.0.1:${port}/v2/daily-ohlcv?symbol=ETH`,
    connections: 50,
    duration: seconds,
    headers,
  });
  const cpuAfter = await cpuSeconds(pid);
  const total = run.requests.total;
  const round: Round = {
    requestsPerSecond: total / seconds,
    p99Ms: run.latency.p99,
    cpuMicrosPerRequest:
      cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1e6) / total,
    errors: run.errors + run.timeouts + run.non2xx,
  };
  return round;
}

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
    const pin = process.env.KEYGATE_BENCH_NO_PIN === undefined && process.platform === "linux";
    const children: Child<unknown>[] = [];
    try {
      const upstream = await startChild<{ port: number }>(servers("upstream"), {
        cpus: pin ? "0" : undefined,
      });
      children.push(upstream);
      const upstreamUrl = `http://127.0.0.1:${upstream.ready.port}`;
      const bare = await startChild<{ port: number }>(servers("bare-proxy"), {
        args: [upstreamUrl],
        cpus: pin ? "1" : undefined,
      });
      children.push(bare);
      const gateway = await startChild<{ port: number; secret: string }>(servers("gateway"), {
        args: [upstreamUrl],
        cpus: pin ? "1" : undefined,
      });
      children.push(gateway);
      const headers = { "x-api-key": gateway.ready.secret };

      context.log(`warming up (${seconds} s each)`);
      await load(bare.ready.port, bare.process.pid, seconds, headers);
      await load(gateway.ready.port, gateway.process.pid, seconds, headers);

      const bareRounds: Round[] = [];
      const gatewayRounds: Round[] = [];
      for (let i = 0; i < rounds; i++) {
        // Alternate which goes first, so a trend in background load favours neither.
        const order = i % 2 === 0 ? (["bare", "gateway"] as const) : (["gateway", "bare"] as const);
        for (const which of order) {
          const child = which === "bare" ? bare : gateway;
          const round = await load(child.ready.port, child.process.pid, seconds, headers);
          (which === "bare" ? bareRounds : gatewayRounds).push(round);
          context.log(
            `round ${i + 1}/${rounds} ${which.padEnd(7)} ${round.requestsPerSecond.toFixed(0)} req/s, p99 ${round.p99Ms} ms`,
          );
        }
      }
      const errors = [...bareRounds, ...gatewayRounds].reduce((sum, r) => sum + r.errors, 0);
      const bareRps = mean(bareRounds.map((r) => r.requestsPerSecond));
      const gatewayRps = mean(gatewayRounds.map((r) => r.requestsPerSecond));
      const bareP99 = mean(bareRounds.map((r) => r.p99Ms));
      const gatewayP99 = mean(gatewayRounds.map((r) => r.p99Ms));
      const section = "gateway-throughput";
      const results = [
        result({
          section,
          name: "gateway req/s",
          value: gatewayRps,
          unit: "req/s",
          baselineName: "bare proxy req/s",
          baseline: bareRps,
          higherIsBetter: true,
          target: 0.85,
          targetOn: "ratio",
          note: errors > 0 ? `${errors} errors/non-2xx` : undefined,
        }),
        result({
          section,
          name: "gateway p99",
          value: gatewayP99,
          unit: "ms",
          baselineName: "bare proxy p99",
          baseline: bareP99,
          higherIsBetter: false,
        }),
      ];
      const bareCpu = bareRounds.map((r) => r.cpuMicrosPerRequest);
      const gatewayCpu = gatewayRounds.map((r) => r.cpuMicrosPerRequest);
      if (bareCpu.every((v) => v !== undefined) && gatewayCpu.every((v) => v !== undefined)) {
        results.push(
          result({
            section,
            name: "gateway CPU per request",
            value: mean(gatewayCpu as number[]),
            unit: "µs",
            baselineName: "bare proxy CPU per request",
            baseline: mean(bareCpu as number[]),
            higherIsBetter: false,
          }),
        );
      }
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
