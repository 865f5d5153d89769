import { createWebhook } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import { webhookAdminOf, webhookInput, webhookView, webhookWithSecretSchema } from "./webhooks.views.ts";

export const createWebhookRoute = defineRoute({
  method: "POST",
  url: "/v1/webhooks",
  access: "operator",
  operationId: "createWebhook",
  summary:
    "Register a webhook endpoint for some events (or `*`); its signing secret (whsec_…) is in this answer and never again",
  tag: "webhooks",
  body: webhookInput,
  responses: {
    201: { description: "The endpoint and its signing secret (shown once)", schema: webhookWithSecretSchema },
  },
  async handler({ body, actor, ctx }) {
    const { webhook, secret } = await createWebhook(ctx.deps, webhookAdminOf(ctx), actor, body);
    return { status: 201, body: { webhook: webhookView(webhook), secret } };
  },
});
