import { z } from "zod";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, idOf, pageQuery } from "../schemas.ts";
import { pageOf, rotationViewSchema } from "../view-schemas.ts";
import { rotationView } from "../views.ts";

export const listRotationsRoute = defineRoute({
  method: "GET",
  url: "/v1/rotations",
  access: "viewer",
  operationId: "listRotations",
  summary: "List rotations by id, optionally in one state or of one consumer",
  tag: "rotations",
  query: z.strictObject({
    state: z.enum(["overlapping", "completed", "rolled_back"]).optional(),
    consumerId: idOf("con", "consumer").optional(),
    ...pageQuery,
  }),
  responses: { 200: { description: "A page of rotations", schema: pageOf(rotationViewSchema) } },
  async handler({ query, ctx }) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await ctx.deps.store.listRotations({
      state: query.state,
      consumerId: query.consumerId,
      after: query.after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    return { status: 200, body: { data: page.map(rotationView), next } };
  },
});
