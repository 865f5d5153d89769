import { z } from "zod";
import { putPlan } from "../../services/plans.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { mutationQuery, planName, scopes } from "../schemas.ts";
import { planViewSchema, propagationViewSchema } from "../view-schemas.ts";
import { planView } from "../views.ts";

export const putPlanRoute = defineRoute({
  method: "PUT",
  url: "/v1/plans/:name",
  access: "admin",
  operationId: "putPlan",
  summary: "Create or replace a plan; every cache drops its entries",
  tag: "plans",
  params: z.strictObject({ name: planName }),
  query: mutationQuery,
  body: z.strictObject({
    rateLimit: z
      .strictObject({
        limit: z.int().min(1).max(1_000_000_000),
        windowSeconds: z
          .int()
          .min(1)
          .max(31 * 86_400),
      })
      .nullable()
      .optional(),
    quota: z
      .strictObject({ limit: z.int().min(1).max(1_000_000_000_000), period: z.enum(["day", "month"]) })
      .nullable()
      .optional(),
    scopes: scopes.nullable().optional(),
  }),
  responses: mutationResponses(
    200,
    "The plan as stored",
    z.strictObject({ plan: planViewSchema, propagation: propagationViewSchema }),
  ),
  async handler({ params, query, body, actor, ctx }) {
    const { plan, change } = await putPlan(ctx.deps, actor, params.name, body);
    return withPropagation(ctx, change, query.wait, 200, { plan: planView(plan) });
  },
});
