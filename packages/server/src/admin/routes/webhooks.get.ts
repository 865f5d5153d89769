import { getWebhookOrThrow } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import { webhookIdParams, webhookView, webhookViewSchema } from "./webhooks.views.ts";

export const getWebhookRoute = defineRoute({
  method: "GET",
  url: "/v1/webhooks/:id",
  access: "viewer",
  operationId: "getWebhook",
  summary: "Read one webhook endpoint (never its secret)",
  tag: "webhooks",
  params: webhookIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The webhook endpoint", schema: webhookViewSchema } },
  async handler({ params, ctx }) {
    return { status: 200, body: webhookView(await getWebhookOrThrow(ctx.deps, params.id)) };
  },
});
