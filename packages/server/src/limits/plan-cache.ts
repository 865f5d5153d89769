import type { Plan } from "@keygate/core";
import type { LimiterLogger, PlanSource } from "./limiter-options.ts";

export type { PlanSource };

/**
 * Every plan, in memory. A plan edit publishes a change with `all: true`;
 * `invalidate()` marks the cache stale at once and decisions wait for a read
 * that started after it, so once a node has acknowledged the change it
 * decides with the new plan. `refresh()` also runs on a timer, a safety net
 * for a missed change.
 */
export class PlanCache {
  readonly #source: PlanSource;
  readonly #logger: LimiterLogger;
  #plans = new Map<string, Plan>();
  /** Generation wanted (bumped by each invalidation) and generation loaded. */
  #wanted = 1;
  #have = 0;
  #loading: Promise<void> | undefined;

  constructor(source: PlanSource, logger: LimiterLogger) {
    this.#source = source;
    this.#logger = logger;
  }

  /** True until the first load, and after `invalidate()` until a read started after it has ended. */
  get stale(): boolean {
    return this.#have < this.#wanted;
  }

  get(name: string): Plan | undefined {
    return this.#plans.get(name);
  }

  invalidate(): void {
    this.#wanted++;
    this.refresh().catch(() => undefined);
  }

  /**
   * Reads the plans (one read at a time; callers share it, and a read that
   * started before the latest invalidation is followed by another). A failed
   * read keeps the previous plans and is logged: decisions go on with what
   * is known rather than wait on a store that does not answer.
   */
  refresh(): Promise<void> {
    const loading = this.#loading;
    if (loading !== undefined) return loading.then(() => (this.stale ? this.refresh() : undefined));
    const generation = this.#wanted;
    const read = (async () => {
      try {
        const plans = await this.#source.listPlans();
        this.#plans = new Map(plans.map((plan) => [plan.name, plan]));
      } catch (error) {
        this.#logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          "limits: plans could not be read; the previous ones stay in force",
        );
      } finally {
        this.#have = Math.max(this.#have, generation);
        this.#loading = undefined;
      }
    })();
    this.#loading = read;
    return read;
  }
}
