import { z } from "zod";
import { rollbackRotation } from "../../services/rotations.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { mutationQuery, rotationIdParams } from "../schemas.ts";
import { keyViewSchema, propagationViewSchema, rotationViewSchema } from "../view-schemas.ts";
import { keyView, rotationView } from "../views.ts";

export const rollbackRotationRoute = defineRoute({
  method: "POST",
  url: "/v1/rotations/:id/rollback",
  access: "operator",
  operationId: "rollbackRotation",
  summary: "During the overlap: the old key is active again and the new one revoked (rolled_back)",
  tag: "rotations",
  params: rotationIdParams,
  query: mutationQuery,
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "The rolled-back rotation and both keys",
    z.strictObject({
      rotation: rotationViewSchema,
      oldKey: keyViewSchema,
      newKey: keyViewSchema,
      propagation: propagationViewSchema,
    }),
  ),
  async handler({ params, query, actor, ctx }) {
    const result = await rollbackRotation(ctx.deps, actor, params.id);
    const now = ctx.deps.clock.now();
    return withPropagation(ctx, result.change, query.wait, 200, {
      rotation: rotationView(result.rotation),
      oldKey: keyView(result.oldKey, now),
      newKey: keyView(result.newKey, now),
    });
  },
});
