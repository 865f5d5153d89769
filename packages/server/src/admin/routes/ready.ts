import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { defineRoute } from "../route-kit.ts";

export const readyRoute = defineRoute({
  method: "GET",
  url: "/readyz",
  access: "public",
  operationId: "ready",
  summary: "The store answers; 503 STORE_UNAVAILABLE otherwise",
  tag: "operations",
  errors: ["STORE_UNAVAILABLE"],
  responses: {
    200: { description: "Ready", schema: z.strictObject({ status: z.literal("ready"), node: z.string() }) },
  },
  async handler({ ctx }) {
    const ready = await ctx.ready().catch(() => false);
    if (!ready) throw new KeygateError("STORE_UNAVAILABLE", "the store does not answer");
    return { status: 200, body: { status: "ready", node: ctx.nodeId } };
  },
});
