import { z } from "zod";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, pageQuery } from "../schemas.ts";
import { consumerViewSchema, pageOf } from "../view-schemas.ts";
import { consumerView } from "../views.ts";

export const listConsumersRoute = defineRoute({
  method: "GET",
  url: "/v1/consumers",
  access: "viewer",
  operationId: "listConsumers",
  summary: "List consumers by id; pass `next` as `after` for the following page",
  tag: "consumers",
  query: z.strictObject(pageQuery),
  responses: { 200: { description: "A page of consumers", schema: pageOf(consumerViewSchema) } },
  async handler({ query, ctx }) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await ctx.deps.store.listConsumers({ after: query.after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    return { status: 200, body: { data: page.map(consumerView), next } };
  },
});
