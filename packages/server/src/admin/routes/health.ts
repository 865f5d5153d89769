import { z } from "zod";
import { defineRoute } from "../route-kit.ts";

export const healthRoute = defineRoute({
  method: "GET",
  url: "/healthz",
  access: "public",
  operationId: "health",
  summary: "The process is up",
  tag: "operations",
  responses: {
    200: { description: "Up", schema: z.strictObject({ status: z.literal("ok"), node: z.string() }) },
  },
  async handler({ ctx }) {
    return { status: 200, body: { status: "ok", node: ctx.nodeId } };
  },
});
