/** One measured number, always beside a baseline measured in the same run. */
export interface BenchResult {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baselineName: string;
  readonly baseline: number;
  /** value / baseline. */
  readonly ratio: number;
  /** Whether a larger ratio is better (throughput) or worse (latency, memory). */
  readonly higherIsBetter: boolean;
  /** The ratio (or absolute value, see `targetOn`) the project aims for. */
  readonly target?: number | undefined;
  readonly targetOn?: "ratio" | "value" | undefined;
  readonly note?: string | undefined;
}

/** An absolute fact worth printing beside the ratios (memory per key, CPU per request…). */
export interface BenchFact {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface SectionOutput {
  readonly results: readonly BenchResult[];
  readonly facts: readonly BenchFact[];
}

export interface BenchContext {
  readonly quick: boolean;
  /** Print a progress line (stderr, so stdout stays the report). */
  log(message: string): void;
}

/** A benchmark section: `bench/run.ts` runs every registered one, in order. */
export interface BenchSection {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<SectionOutput>;
}

export function result(fields: Omit<BenchResult, "ratio">): BenchResult {
  return { ...fields, ratio: fields.value / fields.baseline };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}
