import { analyticsStoreOf } from "../../usage/analytics-store-of.ts";
import { statsReport } from "../../usage/usage-reports.ts";
import { statsViewSchema } from "../analytics-view-schemas.ts";
import { statsView } from "../analytics-views.ts";
import { defineRoute } from "../route-kit.ts";

export const getStatsRoute = defineRoute({
  method: "GET",
  url: "/v1/stats",
  access: "viewer",
  operationId: "getStats",
  summary:
    "Overview: keys by status, consumers, rotations in progress, requests per minute over the last hour",
  tag: "analytics",
  responses: { 200: { description: "The overview", schema: statsViewSchema } },
  async handler({ ctx }) {
    const report = await statsReport(analyticsStoreOf(ctx.deps.store), ctx.deps.clock.now());
    return { status: 200, body: statsView(report) };
  },
});
