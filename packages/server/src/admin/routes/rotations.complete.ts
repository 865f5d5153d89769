import { z } from "zod";
import { completeRotation } from "../../services/rotations.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { mutationQuery, rotationIdParams } from "../schemas.ts";
import { keyViewSchema, propagationViewSchema, rotationViewSchema } from "../view-schemas.ts";
import { keyView, rotationView } from "../views.ts";

export const completeRotationRoute = defineRoute({
  method: "POST",
  url: "/v1/rotations/:id/complete",
  access: "operator",
  operationId: "completeRotation",
  summary: "Retire the old key now (manual) instead of at its sunset",
  tag: "rotations",
  params: rotationIdParams,
  query: mutationQuery,
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "The completed rotation and the retired old key",
    z.strictObject({
      rotation: rotationViewSchema,
      oldKey: keyViewSchema,
      propagation: propagationViewSchema,
    }),
  ),
  async handler({ params, query, actor, ctx }) {
    const result = await completeRotation(ctx.deps, actor, params.id, "manual");
    return withPropagation(ctx, result.change, query.wait, 200, {
      rotation: rotationView(result.rotation),
      oldKey: keyView(result.oldKey, ctx.deps.clock.now()),
    });
  },
});
