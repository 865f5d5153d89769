import { defineRoute } from "../route-kit.ts";
import { pageOf, planViewSchema } from "../view-schemas.ts";
import { planView } from "../views.ts";

export const listPlansRoute = defineRoute({
  method: "GET",
  url: "/v1/plans",
  access: "viewer",
  operationId: "listPlans",
  summary: "List every plan, by name",
  tag: "plans",
  responses: { 200: { description: "All plans (never more than one page)", schema: pageOf(planViewSchema) } },
  async handler({ ctx }) {
    const plans = await ctx.deps.store.listPlans();
    return { status: 200, body: { data: plans.map(planView), next: null } };
  },
});
