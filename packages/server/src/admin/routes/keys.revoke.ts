import { z } from "zod";
import { revokeKey } from "../../services/revoke-key.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { keyIdParams, mutationQuery, text } from "../schemas.ts";
import { keyViewSchema, propagationViewSchema } from "../view-schemas.ts";
import { keyView } from "../views.ts";

/** Recorded when the operator gives no reason. */
const DEFAULT_REASON = "manual";

export const revokeKeyRoute = defineRoute({
  method: "POST",
  url: "/v1/keys/:id/revoke",
  access: "operator",
  operationId: "revokeKey",
  summary: "Revoke a key now, on every node; an open rotation it is the old key of completes",
  tag: "keys",
  params: keyIdParams,
  query: mutationQuery,
  body: z.strictObject({ reason: text(200).optional() }).optional(),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "The revoked key",
    z.strictObject({ key: keyViewSchema, propagation: propagationViewSchema }),
  ),
  async handler({ params, query, body, actor, ctx }) {
    const { key, change } = await revokeKey(ctx.deps, actor, params.id, body?.reason ?? DEFAULT_REASON);
    return withPropagation(ctx, change, query.wait, 200, { key: keyView(key, ctx.deps.clock.now()) });
  },
});
