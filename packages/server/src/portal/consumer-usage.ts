import type { Consumer } from "@keygate/core";
import type { PortalContext } from "./portal-context.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** Where the consumer stands against its plan right now: the rate window and the quota period. */
export async function consumerUsageState(ctx: PortalContext, consumer: Consumer) {
  if (consumer.plan === null || ctx.limits === undefined) return { rateLimit: null, quota: null };
  const usage = await ctx.limits.usage(consumer.id, consumer.plan, ctx.deps.clock.now());
  return {
    rateLimit: usage.rate === null ? null : { ...usage.rate, resetAt: iso(usage.rate.resetAt) },
    quota:
      usage.quota === null
        ? null
        : {
            limit: usage.quota.limit,
            used: usage.quota.used,
            remaining: Math.max(0, usage.quota.limit - usage.quota.used),
            period: usage.quota.period,
            resetAt: iso(usage.quota.resetAt),
          },
  };
}
