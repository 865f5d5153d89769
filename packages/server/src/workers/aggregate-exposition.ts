/**
 * How the gauges of several processes of one node combine. Counters and
 * histograms add up; a gauge adds up too (memory, entries held, clients
 * throttled) unless it is named here: a start time is the earliest, a lag
 * or a "degraded" flag the worst, a ratio the mean, a connection flag the
 * least (one cut-off worker shows), a version the first.
 */
const GAUGE_RULES: ReadonlyArray<readonly [RegExp, Combine]> = [
  [/^process_start_time_seconds$/, "min"],
  [/_connected$/, "min"],
  [/_degraded$/, "max"],
  [/^nodejs_eventloop_lag_.*seconds$/, "max"],
  [/_ratio$/, "mean"],
  [/^nodejs_version_info$/, "first"],
  [/^process_max_fds$/, "first"],
];

type Combine = "sum" | "min" | "max" | "mean" | "first";

interface Family {
  readonly name: string;
  help: string | undefined;
  type: string | undefined;
  /** Series (name plus labels, as written) in first-seen order, with every process's value. */
  readonly series: Map<string, number[]>;
}

function combineOf(family: Family): Combine {
  if (family.type !== "gauge") return "sum";
  for (const [pattern, combine] of GAUGE_RULES) if (pattern.test(family.name)) return combine;
  return "sum";
}

function parseValue(text: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function combine(values: readonly number[], how: Combine): number {
  switch (how) {
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "mean":
      return values.reduce((sum, v) => sum + v, 0) / values.length;
    case "first":
      return values[0] ?? 0;
    default:
      return values.reduce((sum, v) => sum + v, 0);
  }
}

/** The series key and value of a sample line (`name{labels} value [timestamp]`); undefined if it is not one. */
function sampleOf(line: string): { series: string; name: string; value: number } | undefined {
  const braceEnd = line.lastIndexOf("}");
  const split = braceEnd === -1 ? line.indexOf(" ") : line.indexOf(" ", braceEnd);
  if (split <= 0) return undefined;
  const series = line.slice(0, split);
  const brace = series.indexOf("{");
  const name = brace === -1 ? series : series.slice(0, brace);
  const value = parseValue(
    line
      .slice(split + 1)
      .trim()
      .split(" ")[0] ?? "",
  );
  return Number.isNaN(value) && !line.includes("NaN") ? undefined : { series, name, value };
}

/**
 * One Prometheus text exposition for the processes of one node (the
 * primary's and each worker's), as prom-client's `AggregatorRegistry` does
 * for its own registries, but over text: keygate's exposition mixes a
 * prom-client registry with hand-written counters. Samples of the same
 * series combine by their family's rule (see `GAUGE_RULES`); a series only
 * some processes report keeps the values of those. Timestamps are dropped.
 */
export function aggregateExpositions(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const familyOf = (name: string): Family => {
    let family = families.get(name);
    if (family === undefined) {
      family = { name, help: undefined, type: undefined, series: new Map() };
      families.set(name, family);
    }
    return family;
  };
  for (const text of texts) {
    let current: Family | undefined;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        const rest = line.slice(7);
        const space = rest.indexOf(" ");
        const name = space === -1 ? rest : rest.slice(0, space);
        const value = space === -1 ? "" : rest.slice(space + 1);
        current = familyOf(name);
        if (line.startsWith("# HELP ")) current.help ??= value;
        else current.type ??= value;
        continue;
      }
      if (line.startsWith("#")) continue;
      const sample = sampleOf(line);
      if (sample === undefined) continue;
      // Histogram and summary samples (`_bucket`, `_sum`, `_count`) belong to the family declared above them.
      const family =
        current !== undefined && sample.name.startsWith(current.name) ? current : familyOf(sample.name);
      const values = family.series.get(sample.series);
      if (values === undefined) family.series.set(sample.series, [sample.value]);
      else values.push(sample.value);
    }
  }
  const lines: string[] = [];
  for (const family of families.values()) {
    if (family.series.size === 0 && family.type === undefined) continue;
    if (family.help !== undefined) lines.push(`# HELP ${family.name} ${family.help}`);
    if (family.type !== undefined) lines.push(`# TYPE ${family.name} ${family.type}`);
    const how = combineOf(family);
    for (const [series, values] of family.series)
      lines.push(`${series} ${formatValue(combine(values, how))}`);
  }
  return `${lines.join("\n")}\n`;
}
