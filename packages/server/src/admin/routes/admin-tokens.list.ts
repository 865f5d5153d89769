import { z } from "zod";
import { listAdminTokens } from "../../services/admin-tokens.ts";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, pageQuery } from "../schemas.ts";
import { pageOf } from "../view-schemas.ts";
import { adminTokenView, adminTokenViewSchema } from "./admin-tokens.views.ts";

export const listAdminTokensRoute = defineRoute({
  method: "GET",
  url: "/v1/admin-tokens",
  access: "admin",
  operationId: "listAdminTokens",
  summary: "List admin tokens by id, revoked ones included (never secrets or hashes)",
  tag: "admin-tokens",
  query: z.strictObject(pageQuery),
  responses: { 200: { description: "A page of admin tokens", schema: pageOf(adminTokenViewSchema) } },
  async handler({ query, ctx }) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await listAdminTokens(ctx.deps, { after: query.after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    const now = ctx.deps.clock.now();
    return { status: 200, body: { data: page.map((token) => adminTokenView(token, now)), next } };
  },
});
