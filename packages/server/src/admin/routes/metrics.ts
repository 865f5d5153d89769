import { defineRoute } from "../route-kit.ts";

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

export const metricsRoute = defineRoute({
  method: "GET",
  url: "/metrics",
  access: "public",
  operationId: "metrics",
  summary: "Prometheus metrics (text exposition format)",
  tag: "operations",
  responses: { 200: { description: "Metrics", contentType: PROMETHEUS_TEXT } },
  async handler({ ctx }) {
    return { status: 200, body: await ctx.metrics(), contentType: PROMETHEUS_TEXT };
  },
});
