import type { Plan } from "@keygate/core";
import { z } from "zod";
import { getConsumerOrThrow } from "../../services/consumers.ts";
import { defineRoute } from "../route-kit.ts";
import { consumerIdParams } from "../schemas.ts";

const isoTime = z.iso.datetime();

const usageSchema = z.strictObject({
  consumerId: z.string(),
  plan: z
    .strictObject({
      name: z.string(),
      rateLimit: z.strictObject({ limit: z.number(), windowSeconds: z.number() }).nullable(),
      quota: z.strictObject({ limit: z.number(), period: z.enum(["day", "month"]) }).nullable(),
    })
    .nullable(),
  rateLimit: z.strictObject({ limit: z.number(), remaining: z.number(), resetAt: isoTime }).nullable(),
  quota: z
    .strictObject({ limit: z.number(), used: z.number(), period: z.enum(["day", "month"]), resetAt: isoTime })
    .nullable(),
});

function planOf(name: string, plan: Plan | null | undefined): z.infer<typeof usageSchema>["plan"] {
  return {
    name,
    rateLimit: plan?.rateLimit
      ? { limit: plan.rateLimit.limit, windowSeconds: plan.rateLimit.windowSeconds }
      : null,
    quota: plan?.quota ? { limit: plan.quota.limit, period: plan.quota.period } : null,
  };
}

export const consumerUsageRoute = defineRoute({
  method: "GET",
  url: "/v1/consumers/:id/usage",
  access: "viewer",
  operationId: "getConsumerUsage",
  summary:
    "The consumer's plan and where it stands: remaining in the current rate window, used of the quota period",
  tag: "consumers",
  params: consumerIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The consumer's limits and usage", schema: usageSchema } },
  async handler({ params, ctx }) {
    const consumer = await getConsumerOrThrow(ctx.deps, params.id);
    const body: z.infer<typeof usageSchema> = {
      consumerId: consumer.id,
      plan: null,
      rateLimit: null,
      quota: null,
    };
    if (consumer.plan === null) return { status: 200, body };
    if (ctx.limits === undefined) {
      body.plan = planOf(consumer.plan, await ctx.deps.store.getPlan(consumer.plan));
      return { status: 200, body };
    }
    const usage = await ctx.limits.usage(consumer.id, consumer.plan, ctx.deps.clock.now());
    body.plan = planOf(consumer.plan, usage.plan);
    if (usage.rate !== null)
      body.rateLimit = { ...usage.rate, resetAt: new Date(usage.rate.resetAt).toISOString() };
    if (usage.quota !== null)
      body.quota = { ...usage.quota, resetAt: new Date(usage.quota.resetAt).toISOString() };
    return { status: 200, body };
  },
});
