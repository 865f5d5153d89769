import { fileURLToPath } from "node:url";
import { type BenchContext, type BenchSection, result } from "../lib/bench-result.ts";
import { runWorker } from "../lib/child.ts";

interface CachedReport {
  readonly verifyNoScope: number;
  readonly verifyOneScope: number;
  readonly hash: number;
  readonly calls: number;
  readonly rounds: number;
}

const worker = fileURLToPath(new URL("../workers/verify-cached-worker.ts", import.meta.url));

/** (b) Cached verifications per second on one core vs raw SHA-256 per second. */
export const verifyCached: BenchSection = {
  name: "verify-cached",
  description: "in-process verification of a cached key (one core) vs a raw crypto.hash loop",
  async run(context: BenchContext) {
    context.log("verifying one cached key in a loop");
    const report = await runWorker<CachedReport>(worker, {
      args: context.quick ? ["--quick"] : [],
      cpus: process.platform === "linux" ? "1" : undefined,
    });
    const section = "verify-cached";
    const common = {
      section,
      unit: "ops/s",
      baselineName: "crypto.hash sha256 hex",
      baseline: report.hash,
      higherIsBetter: true,
      target: 1_000_000,
      targetOn: "value" as const,
    };
    return {
      results: [
        result({ ...common, name: "verify, route without scopes", value: report.verifyNoScope }),
        result({ ...common, name: "verify, route needing 1 scope", value: report.verifyOneScope }),
      ],
      facts: [
        {
          section,
          name: "calls per round × rounds (median)",
          value: report.calls * report.rounds,
          unit: "calls",
        },
      ],
    };
  },
};
