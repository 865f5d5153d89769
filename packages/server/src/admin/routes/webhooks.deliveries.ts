import { z } from "zod";
import { listDeliveries } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, pageQuery } from "../schemas.ts";
import { pageOf } from "../view-schemas.ts";
import { deliveryView, deliveryViewSchema, webhookIdParams } from "./webhooks.views.ts";

export const listDeliveriesRoute = defineRoute({
  method: "GET",
  url: "/v1/webhooks/:id/deliveries",
  access: "viewer",
  operationId: "listWebhookDeliveries",
  summary: "The delivery log of an endpoint, oldest first: one row per event, with its latest attempt",
  tag: "webhooks",
  params: webhookIdParams,
  query: z.strictObject(pageQuery),
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "A page of deliveries", schema: pageOf(deliveryViewSchema) } },
  async handler({ params, query, ctx }) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await listDeliveries(ctx.deps, params.id, { after: query.after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    return { status: 200, body: { data: page.map(deliveryView), next } };
  },
});
