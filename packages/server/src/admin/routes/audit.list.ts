import { z } from "zod";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, queryInt } from "../schemas.ts";
import { auditEntryViewSchema, pageOf } from "../view-schemas.ts";
import { auditEntryView } from "../views.ts";

export const listAuditRoute = defineRoute({
  method: "GET",
  url: "/v1/audit",
  access: "viewer",
  operationId: "listAudit",
  summary: "Audit entries in commit order, each hash-chained to the one before",
  tag: "audit",
  query: z.strictObject({
    after: z
      .string()
      .regex(/^[0-9]{1,15}$/, { message: "must be an audit seq (a decimal integer)" })
      .optional(),
    limit: queryInt(1, 1000).optional(),
  }),
  responses: {
    200: {
      description: "A page of audit entries; `next` is the last seq",
      schema: pageOf(auditEntryViewSchema),
    },
  },
  async handler({ query, ctx }) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await ctx.deps.store.listAudit({ after: query.after ?? "0", limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const next = rows.length > limit && last !== undefined ? String(last.seq) : null;
    return { status: 200, body: { data: page.map(auditEntryView), next } };
  },
});
