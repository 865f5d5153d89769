import { effectiveStatus } from "@keygate/core";
import { z } from "zod";
import { listKeysByEffectiveStatus } from "../list-keys.ts";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, idOf, pageQuery } from "../schemas.ts";
import { keyViewSchema, pageOf } from "../view-schemas.ts";
import { keyView } from "../views.ts";

export const listKeysRoute = defineRoute({
  method: "GET",
  url: "/v1/keys",
  access: "viewer",
  operationId: "listKeys",
  summary: "List keys by id, optionally of one consumer and in one (effective) status; never secrets",
  tag: "keys",
  query: z.strictObject({
    consumerId: idOf("con", "consumer").optional(),
    status: z.enum(["active", "deprecated", "expired", "revoked"]).optional(),
    ...pageQuery,
  }),
  responses: { 200: { description: "A page of keys", schema: pageOf(keyViewSchema) } },
  async handler({ query, ctx }) {
    const now = ctx.deps.clock.now();
    const { status } = query;
    const page = await listKeysByEffectiveStatus(
      ctx.deps.store,
      { consumerId: query.consumerId, status, after: query.after, limit: query.limit ?? DEFAULT_PAGE_LIMIT },
      (key) => effectiveStatus(key, now) === status,
    );
    return { status: 200, body: { data: page.keys.map((key) => keyView(key, now)), next: page.next } };
  },
});
