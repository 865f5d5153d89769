import type { BenchFact, BenchResult } from "./bench-result.ts";

function number(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function verdict(result: BenchResult): string {
  if (result.target === undefined) return "";
  const measured = result.targetOn === "value" ? result.value : result.ratio;
  const met = result.higherIsBetter ? measured >= result.target : measured <= result.target;
  const shown = result.targetOn === "value" ? `${number(result.target)} ${result.unit}` : `${result.target}×`;
  return `${met ? "meets" : "MISSES"} target ${result.higherIsBetter ? "≥" : "≤"} ${shown}`;
}

/** The plain-text report `npm run bench` prints: one line per result, ratio first. */
export function formatReport(report: {
  machine: string;
  quick: boolean;
  results: readonly BenchResult[];
  facts: readonly BenchFact[];
}): string {
  const lines = [
    `keygate bench — ${report.machine}${report.quick ? " — QUICK run (numbers are rough)" : ""}`,
    "",
  ];
  let section = "";
  for (const result of report.results) {
    if (result.section !== section) {
      section = result.section;
      lines.push(`[${section}]`);
    }
    lines.push(
      `  ${result.name.padEnd(32)} ${result.ratio.toFixed(3)}×  ` +
        `(${number(result.value)} ${result.unit} vs ${result.baselineName} ${number(result.baseline)} ${result.unit}` +
        `; ${result.higherIsBetter ? "higher" : "lower"} is better)` +
        (verdict(result) === "" ? "" : `  ${verdict(result)}`) +
        (result.note === undefined ? "" : `  [${result.note}]`),
    );
  }
  if (report.facts.length > 0) {
    lines.push("", "[facts]");
    for (const fact of report.facts) {
      lines.push(`  ${fact.section}: ${fact.name} = ${number(fact.value)} ${fact.unit}`);
    }
  }
  return lines.join("\n");
}
