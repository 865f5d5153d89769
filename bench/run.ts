/**
 * `npm run bench [-- --quick] [-- --only <section>[,<section>]] [-- --json <file>]`
 *
 * Runs every registered section and prints each result as a ratio against a
 * baseline measured in the same run. Add a section by writing
 * `bench/sections/<name>.ts` (a `BenchSection`) and listing it below.
 */
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import type { BenchFact, BenchResult, BenchSection } from "./lib/bench-result.ts";
import { formatReport } from "./lib/format-report.ts";
import { allowlist } from "./sections/allowlist.ts";
import { analytics } from "./sections/analytics.ts";
import { forwardAuth } from "./sections/forward-auth.ts";
import { gatewayThroughput } from "./sections/gateway-throughput.ts";
import { limits } from "./sections/limits.ts";
import { propagation } from "./sections/propagation.ts";
import { revocation } from "./sections/revocation.ts";
import { verifyCached } from "./sections/verify-cached.ts";
import { verifyMillion } from "./sections/verify-million.ts";
import { workers } from "./sections/workers.ts";

const SECTIONS: readonly BenchSection[] = [
  verifyCached,
  verifyMillion,
  gatewayThroughput,
  analytics,
  limits,
  allowlist,
  forwardAuth,
  propagation,
  revocation,
  workers,
];

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

const quick = process.argv.includes("--quick");
const only = option("--only")?.split(",");
const jsonFile = option("--json");
const selected = only === undefined ? SECTIONS : SECTIONS.filter((section) => only.includes(section.name));
if (selected.length === 0) {
  console.error(`no such section; known: ${SECTIONS.map((section) => section.name).join(", ")}`);
  process.exit(2);
}

const results: BenchResult[] = [];
const facts: BenchFact[] = [];
const log = (message: string) => process.stderr.write(`  … ${message}\n`);
for (const section of selected) {
  process.stderr.write(`▶ ${section.name}: ${section.description}\n`);
  const output = await section.run({ quick, log });
  results.push(...output.results);
  facts.push(...output.facts);
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), Node ${process.versions.node}`;
console.log(formatReport({ machine, quick, results, facts }));
if (jsonFile !== undefined) {
  await writeFile(
    jsonFile,
    JSON.stringify({ machine, quick, at: new Date().toISOString(), results, facts }, null, 2),
  );
}
