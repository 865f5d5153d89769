import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { type BenchResult, median, result } from "./bench-result.ts";
import { type Child, cpuSeconds, startChild } from "./child.ts";

/** The path of `bench/servers/<name>.ts`, for `startChild`. */
export function benchServer(name: string): string {
  return fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));
}

/**
 * Whether to pin with `taskset` (Linux, unless `KEYGATE_BENCH_NO_PIN` is set):
 * the servers under test on core 1, the upstream and autocannon on core 0.
 */
export function pinCores(): boolean {
  return process.env.KEYGATE_BENCH_NO_PIN === undefined && process.platform === "linux";
}

/**
 * Runs `load` with this process — autocannon's — and all its threads on core
 * 0 when pinning, then gives it back its CPU list. Without this the load
 * generator floats onto core 1 and takes CPU from the server it measures. Only
 * around the load itself: processes started from here inherit the affinity,
 * and other sections' clusters must have both cores.
 */
export async function onLoadCore<T>(load: () => Promise<T>): Promise<T> {
  if (!pinCores()) return load();
  const pid = String(process.pid);
  const current = execFileSync("taskset", ["-pc", pid], { encoding: "utf8" });
  const list = current.slice(current.lastIndexOf(":") + 1).trim();
  execFileSync("taskset", ["-a", "-pc", "0", pid], { stdio: "ignore" });
  try {
    return await load();
  } finally {
    execFileSync("taskset", ["-a", "-pc", list, pid], { stdio: "ignore" });
  }
}

/** Starts `bench/servers/upstream.ts` (on core 0 when pinned) and returns it with its base URL. */
export async function startUpstream(pin: boolean): Promise<{ child: Child<{ port: number }>; url: string }> {
  const child = await startChild<{ port: number }>(benchServer("upstream"), { cpus: pin ? "0" : undefined });
  return { child, url: `http://127.0.0.1:${child.ready.port}` };
}

/** A server to load: its port, its pid (for CPU time from /proc) and the request headers. */
export interface LoadTarget {
  readonly port: number;
  readonly pid: number | undefined;
  readonly headers: Record<string, string>;
  /** Further processes whose CPU time counts for this target (nginx's workers, the authz server behind it). */
  readonly extraPids?: readonly number[];
}

/** CPU seconds of the target's processes together; undefined when any cannot be read. */
async function targetCpuSeconds(target: LoadTarget): Promise<number | undefined> {
  let total = await cpuSeconds(target.pid);
  for (const pid of target.extraPids ?? []) {
    const seconds = await cpuSeconds(pid);
    total = total === undefined || seconds === undefined ? undefined : total + seconds;
  }
  return total;
}

/** The target for a started bench server, sending `secret` as `x-api-key` when given. */
export function loadTarget(child: Child<{ port: number }>, secret?: string): LoadTarget {
  return {
    port: child.ready.port,
    pid: child.process.pid,
    headers: secret === undefined ? {} : { "x-api-key": secret },
  };
}

/** One load run's numbers. */
export interface LoadRound {
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly p99Ms: number;
  /** The server's CPU time per request (from /proc), when readable. */
  readonly cpuMicrosPerRequest: number | undefined;
  /** Errors, timeouts and non-2xx answers. */
  readonly errors: number;
}

/** One autocannon run of GET /v2/daily-ohlcv against `target`, with the server's CPU time per request. */
export async function loadRound(target: LoadTarget, seconds: number, connections = 50): Promise<LoadRound> {
  const cpuBefore = await targetCpuSeconds(target);
  const run = await autocannon({
    url: `http://127.0.0.1:${target.port}/v2/daily-ohlcv?symbol=ETH`,
    connections,
    duration: seconds,
    headers: target.headers,
  });
  const cpuAfter = await targetCpuSeconds(target);
  const total = run.requests.total;
  return {
    requestsPerSecond: total / seconds,
    requests: total,
    p99Ms: run.latency.p99,
    cpuMicrosPerRequest:
      cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1e6) / total,
    errors: run.errors + run.timeouts + run.non2xx,
  };
}

/** Loads each target in `order`, `times` over, discarding the numbers. */
export async function warmUp<W extends string>(
  targets: Record<W, LoadTarget>,
  order: readonly W[],
  seconds: number,
  times = 1,
): Promise<void> {
  await onLoadCore(async () => {
    for (let w = 0; w < times; w++) {
      for (const which of order) await loadRound(targets[which], seconds);
    }
  });
}

/** What `interleavedRounds` runs. */
export interface InterleavedRoundsOptions<W extends string> {
  readonly targets: Record<W, LoadTarget>;
  /** The first round's order; each later round starts one further along it. */
  readonly order: readonly W[];
  readonly rounds: number;
  readonly seconds: number;
  readonly log: (line: string) => void;
  /** The log line after `round i/n `. Default: `<which> <req/s> req/s, p99 <ms> ms`. */
  readonly describe?: (which: W, round: LoadRound) => string;
}

/**
 * Loads the targets one after another for `rounds` rounds, rotating the
 * order every round, so a trend in the machine's background load favours
 * none of them. Returns every target's rounds.
 */
export async function interleavedRounds<W extends string>(
  options: InterleavedRoundsOptions<W>,
): Promise<Record<W, LoadRound[]>> {
  const { order, rounds } = options;
  const describe =
    options.describe ??
    ((which: W, round: LoadRound) =>
      `${which.padEnd(7)} ${round.requestsPerSecond.toFixed(0)} req/s, p99 ${round.p99Ms} ms`);
  const measured = Object.fromEntries(order.map((which) => [which, [] as LoadRound[]])) as Record<
    W,
    LoadRound[]
  >;
  await onLoadCore(async () => {
    for (let i = 0; i < rounds; i++) {
      const shift = i % order.length;
      for (const which of [...order.slice(shift), ...order.slice(0, shift)]) {
        const round = await loadRound(options.targets[which], options.seconds);
        measured[which].push(round);
        options.log(`round ${i + 1}/${rounds} ${describe(which, round)}`);
      }
    }
  });
  return measured;
}

/** What `simultaneousRounds` runs: two targets sharing one core. */
export interface SimultaneousRoundsOptions {
  readonly measured: LoadTarget;
  readonly baseline: LoadTarget;
  readonly rounds: number;
  readonly seconds: number;
  /** How the progress line after each round names the two sides. */
  readonly names: readonly [measured: string, baseline: string];
  /** Prints `round i/n simultaneous: <measured> <req/s> req/s, <baseline> <req/s> req/s (<ratio>×)`. */
  readonly log: (line: string) => void;
}

/**
 * Loads two servers at once, 25 connections each, for `rounds` rounds. Both
 * servers are pinned to the same core, so the scheduler splits it evenly
 * between them and the requests each serves measure its work per request;
 * whatever the machine's background load does during a round, it does to
 * both. Sequential rounds (`interleavedRounds`) give each server the whole
 * core but let that load fall on one side only: on a shared VM a 3 s round
 * of the same server moves by ±30 %, which no number of rounds averages out
 * reliably. Which load starts first alternates (its connections come up a
 * moment earlier).
 */
export async function simultaneousRounds(
  options: SimultaneousRoundsOptions,
): Promise<{ measured: LoadRound[]; baseline: LoadRound[] }> {
  const measured: LoadRound[] = [];
  const baseline: LoadRound[] = [];
  await onLoadCore(async () => {
    for (let i = 0; i < options.rounds; i++) {
      const loadMeasured = () => loadRound(options.measured, options.seconds, 25);
      const loadBaseline = () => loadRound(options.baseline, options.seconds, 25);
      const [m, b] =
        i % 2 === 0
          ? await Promise.all([loadMeasured(), loadBaseline()])
          : await Promise.all([loadBaseline(), loadMeasured()]).then(
              ([first, second]) => [second, first] as const,
            );
      measured.push(m);
      baseline.push(b);
      const [measuredName, baselineName] = options.names;
      options.log(
        `round ${i + 1}/${options.rounds} simultaneous: ${measuredName} ${m.requestsPerSecond.toFixed(0)} req/s, ` +
          `${baselineName} ${b.requestsPerSecond.toFixed(0)} req/s ` +
          `(${(m.requestsPerSecond / b.requestsPerSecond).toFixed(3)}×)`,
      );
    }
  });
  return { measured, baseline };
}

/** Starts `bench/servers/<name>.ts` with `args`, on core 1 when pinned: a server under test. */
export function startServerUnderTest<T>(
  name: string,
  args: readonly string[],
  pin: boolean,
): Promise<Child<T>> {
  return startChild<T>(benchServer(name), { args, cpus: pin ? "1" : undefined });
}

/** "N errors/non-2xx" over all the rounds given, for a result's note; undefined when there were none. */
export function errorsNote(...sides: ReadonlyArray<readonly LoadRound[]>): string | undefined {
  let errors = 0;
  for (const rounds of sides) for (const round of rounds) errors += round.errors;
  return errors > 0 ? `${errors} errors/non-2xx` : undefined;
}

/** Each round's req/s of `measured` over the same-numbered round's of `baseline`. */
export function perRoundRatios(measured: readonly LoadRound[], baseline: readonly LoadRound[]): number[] {
  return measured.map((round, i) => round.requestsPerSecond / (baseline[i]?.requestsPerSecond ?? Number.NaN));
}

/** Every round's CPU µs per request, or undefined when any round could not read it. */
export function cpuMicrosPerRequest(rounds: readonly LoadRound[]): number[] | undefined {
  const values: number[] = [];
  for (const round of rounds) {
    if (round.cpuMicrosPerRequest === undefined) return undefined;
    values.push(round.cpuMicrosPerRequest);
  }
  return values;
}

/** One side of a comparison of load rounds: how results name it, and its rounds. */
export interface RoundsSide {
  readonly name: string;
  readonly rounds: readonly LoadRound[];
}

/**
 * The results every throughput section prints for `measured` against
 * `baseline`: req/s (with `target` on the ratio, and `note`), p99, and CPU per
 * request when every round of both sides could read it — each `average`d over
 * the rounds. Names read `<side> req/s<suffix>`, `<side> p99<suffix>`,
 * `<side> CPU per request<suffix>`.
 */
export function roundComparison(options: {
  readonly section: string;
  readonly measured: RoundsSide;
  readonly baseline: RoundsSide;
  readonly average: (values: readonly number[]) => number;
  readonly suffix?: string;
  readonly target?: number;
  readonly note?: string | undefined;
}): { requestsPerSecond: BenchResult; p99: BenchResult; cpu: BenchResult | undefined } {
  const { section, measured, baseline, average } = options;
  const suffix = options.suffix ?? "";
  const compare = (
    what: string,
    unit: string,
    of: (rounds: readonly LoadRound[]) => readonly number[],
    higherIsBetter: boolean,
  ) =>
    result({
      section,
      name: `${measured.name} ${what}${suffix}`,
      value: average(of(measured.rounds)),
      unit,
      baselineName: `${baseline.name} ${what}`,
      baseline: average(of(baseline.rounds)),
      higherIsBetter,
    });
  const rps = compare("req/s", "req/s", (rounds) => rounds.map((r) => r.requestsPerSecond), true);
  const measuredCpu = cpuMicrosPerRequest(measured.rounds);
  const baselineCpu = cpuMicrosPerRequest(baseline.rounds);
  return {
    requestsPerSecond: {
      ...rps,
      ...(options.target === undefined ? {} : { target: options.target, targetOn: "ratio" as const }),
      note: options.note,
    },
    p99: compare("p99", "ms", (rounds) => rounds.map((r) => r.p99Ms), false),
    cpu:
      measuredCpu === undefined || baselineCpu === undefined
        ? undefined
        : compare("CPU per request", "µs", (rounds) => cpuMicrosPerRequest(rounds) ?? [], false),
  };
}

/**
 * The req/s result of simultaneous rounds, named `<side> req/s, simultaneous`
 * against `<baseline> req/s, same moments`, with `target` on the ratio. The
 * ratio is the median of the per-round ratios (each round's two numbers come
 * from the same seconds, so a round the machine slowed counts once, like any
 * other); the values printed beside it are each side's median.
 */
export function simultaneousComparison(options: {
  readonly section: string;
  readonly measured: RoundsSide;
  readonly baseline: RoundsSide;
  readonly target?: number;
  readonly note?: string | undefined;
}): BenchResult {
  const { measured, baseline } = options;
  const pairs = perRoundRatios(measured.rounds, baseline.rounds);
  const ratioNote = `ratio: median of ${pairs.length} per-round ratios, ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}`;
  return {
    ...result({
      section: options.section,
      name: `${measured.name} req/s, simultaneous`,
      value: median(measured.rounds.map((r) => r.requestsPerSecond)),
      unit: "req/s",
      baselineName: `${baseline.name} req/s, same moments`,
      baseline: median(baseline.rounds.map((r) => r.requestsPerSecond)),
      higherIsBetter: true,
      ...(options.target === undefined ? {} : { target: options.target, targetOn: "ratio" as const }),
      note: options.note === undefined ? ratioNote : `${ratioNote}; ${options.note}`,
    }),
    ratio: median(pairs),
  };
}
