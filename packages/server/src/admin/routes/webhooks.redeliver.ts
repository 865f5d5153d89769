import { z } from "zod";
import { redeliver } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import { deliveryParams, deliveryView, deliveryViewSchema } from "./webhooks.views.ts";

export const redeliverRoute = defineRoute({
  method: "POST",
  url: "/v1/webhooks/:id/deliveries/:deliveryId/redeliver",
  access: "operator",
  operationId: "redeliverWebhook",
  summary: "Send a delivery again now (same webhook-id), with a fresh retry schedule",
  tag: "webhooks",
  params: deliveryParams,
  errors: ["NOT_FOUND"],
  responses: {
    202: {
      description: "Queued; the dispatcher sends it shortly",
      schema: z.strictObject({ delivery: deliveryViewSchema }),
    },
  },
  async handler({ params, ctx }) {
    const delivery = await redeliver(ctx.deps, params.id, params.deliveryId);
    return { status: 202, body: { delivery: deliveryView(delivery) } };
  },
});
