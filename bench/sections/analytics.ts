import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchContext, type BenchFact, type BenchSection, median, result } from "../lib/bench-result.ts";
import { type Child, runWorker } from "../lib/child.ts";
import {
  cpuMicrosPerRequest,
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

const worker = fileURLToPath(new URL("../workers/analytics-hot-path-worker.ts", import.meta.url));

interface HotPath {
  readonly plainNs: number;
  readonly analyticsNs: number;
}

/**
 * What usage analytics and alerts cost the gateway: the same gateway over a
 * SQLite file store with them all on (counts and last use persisted every
 * second, every verification counted and timed, failure tracking, the alert
 * and policy jobs running) and all off, in interleaved rounds like
 * `gateway-throughput` (the two gateways pinned to core 1, the upstream and
 * autocannon on core 0), medians compared; and in simultaneous rounds: both
 * gateways loaded at once (25 connections each) on their one shared core,
 * where the scheduler splits the core evenly, so the requests each one serves
 * measure its work per request, with the machine's background load hitting
 * both alike. Target (on the simultaneous rounds): analytics cost at most 5 %
 * of throughput.
 * First, in isolation, the ns the request path itself gains (a cached
 * verification with and without the analytics calls around it).
 */
export const analytics: BenchSection = {
  name: "analytics",
  description:
    "gateway with usage analytics + alerts on vs off: req/s and CPU per request (autocannon, 50 connections)",
  async run(context: BenchContext) {
    // Many short alternating rounds and medians: the cost sought is a few per cent, well inside the
    // round-to-round noise of a shared machine, and a median shrugs off a round that a burst of
    // background load hit.
    const seconds = context.quick ? 2 : 4;
    const rounds = context.quick ? 3 : 8;
    const pin = pinCores();
    context.log("hot path: cached verification with and without the analytics calls");
    const hot = await runWorker<HotPath>(worker, {
      args: context.quick ? ["--quick"] : [],
      cpus: pin ? "1" : undefined,
    });
    const dir = mkdtempSync(join(tmpdir(), "keygate-bench-analytics-"));
    const children: Child<unknown>[] = [];
    try {
      const upstream = await startUpstream(pin);
      children.push(upstream.child);
      const upstreamUrl = upstream.url;
      const start = (mode: "on" | "off") =>
        startServerUnderTest<{ port: number; secret: string }>(
          "analytics-gateway",
          [upstreamUrl, mode, join(dir, `${mode}.db`)],
          pin,
        );
      const on = await start("on");
      children.push(on);
      const off = await start("off");
      children.push(off);

      const targets = { off: loadTarget(off, off.ready.secret), on: loadTarget(on, on.ready.secret) };
      const order = ["off", "on"] as const;

      context.log(`warming up (${seconds} s each)`);
      await warmUp(targets, order, seconds);

      const measured = await interleavedRounds({
        targets,
        order,
        rounds,
        seconds,
        log: (line) => context.log(line),
        describe: (which, round) =>
          `analytics ${which.padEnd(3)} ${round.requestsPerSecond.toFixed(0)} req/s, ` +
          `p99 ${round.p99Ms} ms, ${round.cpuMicrosPerRequest?.toFixed(1) ?? "?"} µs CPU/request`,
      });
      const onRounds = measured.on;
      const offRounds = measured.off;
      const shared = await simultaneousRounds({
        measured: targets.on,
        baseline: targets.off,
        rounds,
        seconds,
        names: ["analytics on", "off"],
        log: (line) => context.log(line),
      });
      const onShared = shared.measured;
      const offShared = shared.baseline;
      const errors = errorsNote(onRounds, offRounds, onShared, offShared);
      const section = "analytics";
      const vsOff = roundComparison({
        section,
        measured: { name: "analytics on", rounds: onRounds },
        baseline: { name: "analytics off", rounds: offRounds },
        average: median,
        note: errors,
      });
      const results = [
        result({
          section,
          name: "hot path: verify + analytics",
          value: hot.analyticsNs,
          unit: "ns",
          baselineName: "verify alone (cached)",
          baseline: hot.plainNs,
          higherIsBetter: false,
        }),
        vsOff.requestsPerSecond,
        simultaneousComparison({
          section,
          measured: { name: "analytics on", rounds: onShared },
          baseline: { name: "analytics off", rounds: offShared },
          target: 0.95,
        }),
        vsOff.p99,
        ...(vsOff.cpu === undefined ? [] : [vsOff.cpu]),
      ];
      const offCpu = cpuMicrosPerRequest(offRounds);
      const offCpuMedian = offCpu === undefined ? undefined : median(offCpu);
      const facts: BenchFact[] = [
        {
          section,
          name: "ns added per request on the request path",
          value: hot.analyticsNs - hot.plainNs,
          unit: "ns",
        },
        ...(offCpuMedian === undefined
          ? []
          : [
              {
                section,
                name: "request-path share of the gateway's CPU per request",
                value: (100 * (hot.analyticsNs - hot.plainNs)) / (offCpuMedian * 1000),
                unit: "%",
              },
            ]),
        { section, name: "rounds × seconds per gateway", value: rounds * seconds, unit: "s" },
        { section, name: "gateways pinned to core 1", value: pin ? 1 : 0, unit: "bool" },
      ];
      return { results, facts };
    } finally {
      for (const child of children.reverse()) await child.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
