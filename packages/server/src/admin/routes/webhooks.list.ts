import { z } from "zod";
import { listWebhooks } from "../../webhooks/webhook-service.ts";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, pageQuery } from "../schemas.ts";
import { pageOf } from "../view-schemas.ts";
import { webhookView, webhookViewSchema } from "./webhooks.views.ts";

export const listWebhooksRoute = defineRoute({
  method: "GET",
  url: "/v1/webhooks",
  access: "viewer",
  operationId: "listWebhooks",
  summary: "List webhook endpoints by id (never their secrets)",
  tag: "webhooks",
  query: z.strictObject(pageQuery),
  responses: { 200: { description: "A page of webhook endpoints", schema: pageOf(webhookViewSchema) } },
  async handler({ query, ctx }) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await listWebhooks(ctx.deps, { after: query.after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    return { status: 200, body: { data: page.map(webhookView), next } };
  },
});
