import { z } from "zod";
import { requestRotation } from "../../services/request-rotation.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { isoDateTime, keyIdParams, mutationQuery } from "../schemas.ts";
import { keyViewSchema, propagationViewSchema } from "../view-schemas.ts";
import { keyView } from "../views.ts";

export const requestRotationRoute = defineRoute({
  method: "POST",
  url: "/v1/keys/:id/request-rotation",
  access: "operator",
  operationId: "requestRotation",
  summary:
    "Make the key due now: its responses carry Deprecation and Sunset until the consumer self-rotates; it stops working at sunsetAt",
  tag: "keys",
  params: keyIdParams,
  query: mutationQuery,
  body: z.strictObject({ sunsetAt: isoDateTime }),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "The key, now due",
    z.strictObject({ key: keyViewSchema, propagation: propagationViewSchema }),
  ),
  async handler({ params, query, body, actor, ctx }) {
    const { key, change } = await requestRotation(ctx.deps, actor, params.id, body.sunsetAt);
    return withPropagation(ctx, change, query.wait, 200, { key: keyView(key, ctx.deps.clock.now()) });
  },
});
