import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { selfRotate } from "../../services/self-rotate.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { mutationQuery } from "../schemas.ts";
import { keyViewSchema, propagationViewSchema, rotationViewSchema } from "../view-schemas.ts";
import { keyView, rotationView } from "../views.ts";

export const selfRotateRoute = defineRoute({
  method: "POST",
  url: "/v1/self/rotate",
  access: "consumer",
  operationId: "selfRotate",
  summary:
    "A consumer rotates the key it authenticates with (x-api-key or Authorization: Bearer kg_…); the old key works until the end of the overlap",
  tag: "self",
  query: mutationQuery,
  errors: [
    "KEY_MISSING",
    "KEY_MALFORMED",
    "KEY_NOT_FOUND",
    "KEY_EXPIRED",
    "KEY_REVOKED",
    "CONSUMER_DISABLED",
    "FORBIDDEN",
    "CONFLICT",
  ],
  responses: mutationResponses(
    201,
    "The successor and its secret (shown once)",
    z.strictObject({
      key: keyViewSchema,
      secret: z.string(),
      rotation: rotationViewSchema,
      propagation: propagationViewSchema,
    }),
  ),
  async handler({ query, consumer, ctx }) {
    if (consumer === undefined) throw new KeygateError("UNAUTHENTICATED", "self-rotation needs a valid key");
    if (ctx.selfRotationAllowed !== undefined && !ctx.selfRotationAllowed(consumer.plan ?? null))
      throw new KeygateError(
        "FORBIDDEN",
        "this key's plan does not allow self-rotation; ask the provider, or rotate in the portal",
      );
    const result = await selfRotate(ctx.deps, consumer);
    return withPropagation(ctx, result.change, query.wait, 201, {
      key: keyView(result.key, ctx.deps.clock.now()),
      secret: result.secret,
      rotation: rotationView(result.rotation),
    });
  },
});
