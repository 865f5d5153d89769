import type { Actor, Plan, Quota, RateLimit } from "@keygate/core";
import { auditEntry, commitOrConflict, publishChange, type ServiceDeps } from "./service-deps.ts";

export interface PlanInput {
  readonly rateLimit?: RateLimit | null | undefined;
  readonly quota?: Quota | null | undefined;
  /** Scopes the plan's consumers may put on keys they create in the portal; null or absent: every routed scope. */
  readonly scopes?: readonly string[] | null | undefined;
}

/** Creates or replaces a plan. Every consumer on it is affected, so all caches drop their entries. */
export async function putPlan(deps: ServiceDeps, actor: Actor, name: string, input: PlanInput) {
  const now = deps.clock.now();
  const plan: Plan = {
    name,
    rateLimit: input.rateLimit ?? null,
    quota: input.quota ?? null,
    scopes: input.scopes === undefined || input.scopes === null ? null : [...new Set(input.scopes)].sort(),
    updatedAt: now,
  };
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "putPlan", plan }],
      audit: [
        auditEntry(now, actor, "plan.put", "plan", name, {
          rateLimit: plan.rateLimit,
          quota: plan.quota,
          scopes: plan.scopes,
        }),
      ],
      events: [],
    },
    "plan update",
  );
  const change = await publishChange(deps, { all: true });
  return { plan, change };
}
