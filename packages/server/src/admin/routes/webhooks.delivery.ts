import { z } from "zod";
import { getDelivery } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import {
  attemptView,
  attemptViewSchema,
  deliveryParams,
  deliveryView,
  deliveryViewSchema,
} from "./webhooks.views.ts";

export const getDeliveryRoute = defineRoute({
  method: "GET",
  url: "/v1/webhooks/:id/deliveries/:deliveryId",
  access: "viewer",
  operationId: "getWebhookDelivery",
  summary: "One delivery with every attempt (time, duration, response status, error)",
  tag: "webhooks",
  params: deliveryParams,
  errors: ["NOT_FOUND"],
  responses: {
    200: {
      description: "The delivery and its attempts",
      schema: z.strictObject({ delivery: deliveryViewSchema, attempts: z.array(attemptViewSchema) }),
    },
  },
  async handler({ params, ctx }) {
    const { delivery, attempts } = await getDelivery(ctx.deps, params.id, params.deliveryId);
    return { status: 200, body: { delivery: deliveryView(delivery), attempts: attempts.map(attemptView) } };
  },
});
