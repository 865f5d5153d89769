import { fileURLToPath } from "node:url";
import { type BenchContext, type BenchSection, result } from "../lib/bench-result.ts";
import { runWorker } from "../lib/child.ts";

interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
}

interface MillionReport {
  readonly keys: number;
  readonly samples: number;
  readonly heapBytes: number;
  readonly arrayBufferBytes: number;
  readonly rssBytes: number;
  readonly columnBytes: number;
  readonly verify: Percentiles;
  readonly hash: Percentiles;
  readonly verifyOps: number;
  readonly hashOps: number;
}

const worker = fileURLToPath(new URL("../workers/verify-million-worker.ts", import.meta.url));

/** (c) The cache with 1,000,000 keys: its memory, and cached-verification latency in random order. */
export const verifyMillion: BenchSection = {
  name: "verify-million",
  description: "1,000,000 cached keys: memory held by the cache, p99 of a verification in random key order",
  async run(context: BenchContext) {
    context.log(`caching ${context.quick ? "200,000" : "1,000,000"} keys`);
    const report = await runWorker<MillionReport>(worker, {
      args: context.quick ? ["--quick"] : [],
      execArgv: ["--expose-gc", "--max-old-space-size=4096"],
      cpus: process.platform === "linux" ? "1" : undefined,
    });
    const section = "verify-million";
    const timing = { section, unit: "µs", baselineName: "crypto.hash (same timer)", higherIsBetter: false };
    const mib = (bytes: number) => bytes / 1024 / 1024;
    return {
      results: [
        result({ ...timing, name: "verify p50", value: report.verify.p50, baseline: report.hash.p50 }),
        result({ ...timing, name: "verify p99", value: report.verify.p99, baseline: report.hash.p99 }),
        result({ ...timing, name: "verify p99.9", value: report.verify.p999, baseline: report.hash.p999 }),
        result({
          section,
          name: "verify, random key order",
          unit: "ops/s",
          value: report.verifyOps,
          baselineName: "crypto.hash, same order",
          baseline: report.hashOps,
          higherIsBetter: true,
        }),
      ],
      facts: [
        { section, name: "keys cached", value: report.keys, unit: "keys" },
        { section, name: "JS heap held by the cache", value: mib(report.heapBytes), unit: "MiB" },
        { section, name: "typed arrays held by the cache", value: mib(report.arrayBufferBytes), unit: "MiB" },
        { section, name: "RSS growth", value: mib(report.rssBytes), unit: "MiB" },
        {
          section,
          name: "bytes per key (heap + typed arrays)",
          value: (report.heapBytes + report.arrayBufferBytes) / report.keys,
          unit: "B",
        },
        {
          section,
          name: "typed-array columns + index (table's own count)",
          value: mib(report.columnBytes),
          unit: "MiB",
        },
      ],
    };
  },
};
