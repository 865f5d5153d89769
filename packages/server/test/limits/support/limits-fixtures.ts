import type { CounterAdd, CounterDraw, CounterRelease, CounterStore, Plan, TakeResult } from "@keygate/core";
import { Limiter } from "../../../src/limits/limiter.ts";
import type { LimiterOptions } from "../../../src/limits/limiter-options.ts";
import { MemoryCounterStore } from "../../../src/limits/memory-counter-store.ts";
import { ManualClock } from "../../verify/key-world.ts";

export { ManualClock };

export function plan(name: string, over: Partial<Plan> = {}): Plan {
  return { name, rateLimit: null, quota: null, scopes: null, updatedAt: 0, ...over };
}

/** Plans the limiter reads, changed by the test. */
export class PlanTable {
  plans: Plan[];
  reads = 0;

  constructor(...plans: Plan[]) {
    this.plans = plans;
  }

  async listPlans(): Promise<Plan[]> {
    this.reads++;
    return this.plans;
  }
}

/** A log that keeps its lines. */
export class RecordingLog {
  readonly lines: Array<{ level: string; obj: object; msg: string | undefined }> = [];
  info(obj: object, msg?: string): void {
    this.lines.push({ level: "info", obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ level: "warn", obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.lines.push({ level: "error", obj, msg });
  }
  count(level: string, includes: string): number {
    return this.lines.filter((l) => l.level === level && (l.msg ?? "").includes(includes)).length;
  }
}

/**
 * A real in-process counter store standing in for a shared one, which the
 * test can take down (every call rejects, as an unreachable Redis does) and
 * bring back. Counts the calls that reached it.
 */
export class SwitchableCounterStore implements CounterStore {
  readonly inner: MemoryCounterStore;
  down = false;
  takes = 0;
  releases = 0;

  constructor(clock: ManualClock) {
    this.inner = new MemoryCounterStore({ clock });
  }

  #check(): void {
    if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
  }

  async take(draws: readonly CounterDraw[]): Promise<TakeResult> {
    this.#check();
    this.takes++;
    return this.inner.take(draws);
  }

  async release(releases: readonly CounterRelease[]): Promise<void> {
    this.#check();
    this.releases++;
    return this.inner.release(releases);
  }

  async add(adds: readonly CounterAdd[]): Promise<void> {
    this.#check();
    return this.inner.add(adds);
  }

  async read(keys: readonly string[]): Promise<number[]> {
    this.#check();
    return this.inner.read(keys);
  }

  async ping(): Promise<void> {
    this.#check();
  }

  async close(): Promise<void> {}
}

export async function startLimiter(
  options: Omit<LimiterOptions, "logger"> & { logger?: LimiterOptions["logger"] },
): Promise<Limiter> {
  const limiter = new Limiter({ logger: new RecordingLog(), ...options });
  await limiter.start();
  return limiter;
}

/** Resolves a decision that may be synchronous. */
export async function settle<T>(value: T | Promise<T>): Promise<T> {
  return value;
}
