import { MAX_OVERLAP_SECONDS } from "@keygate/core";
import { z } from "zod";
import { rotateWebhookSecret } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import { webhookIdParams, webhookView, webhookWithSecretSchema } from "./webhooks.views.ts";

export const rotateWebhookSecretRoute = defineRoute({
  method: "POST",
  url: "/v1/webhooks/:id/rotate-secret",
  access: "operator",
  operationId: "rotateWebhookSecret",
  summary:
    "Replace the signing secret; for overlapSeconds (default 86400) every delivery carries signatures by both secrets",
  tag: "webhooks",
  params: webhookIdParams,
  body: z.strictObject({ overlapSeconds: z.number().min(0).max(MAX_OVERLAP_SECONDS).optional() }).optional(),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: {
    200: { description: "The endpoint and its new secret (shown once)", schema: webhookWithSecretSchema },
  },
  async handler({ params, body, actor, ctx }) {
    const { webhook, secret } = await rotateWebhookSecret(ctx.deps, actor, params.id, body?.overlapSeconds);
    return { status: 200, body: { webhook: webhookView(webhook), secret } };
  },
});
