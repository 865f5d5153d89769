import { deleteWebhook } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import { webhookIdParams } from "./webhooks.views.ts";

export const deleteWebhookRoute = defineRoute({
  method: "DELETE",
  url: "/v1/webhooks/:id",
  access: "operator",
  operationId: "deleteWebhook",
  summary: "Delete a webhook endpoint: nothing more is sent to it, and its pending deliveries end as failed",
  tag: "webhooks",
  params: webhookIdParams,
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: { 204: { description: "Deleted" } },
  async handler({ params, actor, ctx }) {
    await deleteWebhook(ctx.deps, actor, params.id);
    return { status: 204, body: "" };
  },
});
