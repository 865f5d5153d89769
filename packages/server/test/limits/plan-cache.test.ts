import type { Plan } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { PlanCache } from "../../src/limits/plan-cache.ts";
import { plan, RecordingLog } from "./support/limits-fixtures.ts";

/** Plans whose reads the test releases one by one, to order a read against an edit. */
class HeldPlans {
  plans: Plan[] = [];
  readonly waiting: Array<() => void> = [];
  reads = 0;
  async listPlans(): Promise<Plan[]> {
    this.reads++;
    const snapshot = this.plans;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return snapshot;
  }
  releaseOne(): void {
    this.waiting.shift()?.();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("PlanCache", () => {
  it("is stale until a read that started after the latest invalidation has ended", async () => {
    const source = new HeldPlans();
    source.plans = [plan("p", { rateLimit: { limit: 1, windowSeconds: 60 } })];
    const cache = new PlanCache(source, new RecordingLog());
    const first = cache.refresh();
    expect(cache.stale).toBe(true);
    // An edit commits while the first read (which saw the old plan) is in flight.
    source.plans = [plan("p", { rateLimit: { limit: 9, windowSeconds: 60 } })];
    cache.invalidate();
    source.releaseOne();
    await first;
    await tick();
    expect(cache.stale).toBe(true);
    expect(source.reads).toBe(2);
    source.releaseOne();
    await cache.refresh();
    expect(cache.stale).toBe(false);
    expect(cache.get("p")?.rateLimit?.limit).toBe(9);
  });

  it("keeps the previous plans when a read fails, and says so", async () => {
    const log = new RecordingLog();
    let fail = false;
    const cache = new PlanCache(
      {
        listPlans: async () => {
          if (fail) throw new Error("store down");
          return [plan("p")];
        },
      },
      log,
    );
    await cache.refresh();
    fail = true;
    cache.invalidate();
    await cache.refresh();
    expect(cache.stale).toBe(false);
    expect(cache.get("p")?.name).toBe("p");
    expect(log.count("warn", "plans could not be read")).toBe(1);
  });
});
