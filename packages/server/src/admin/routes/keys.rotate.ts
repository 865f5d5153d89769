import { MAX_OVERLAP_SECONDS } from "@keygate/core";
import { z } from "zod";
import { rotateKey } from "../../services/rotate-key.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { keyIdParams, mutationQuery } from "../schemas.ts";
import { keyViewSchema, propagationViewSchema, rotationViewSchema } from "../view-schemas.ts";
import { keyView, rotationView } from "../views.ts";

export const rotateKeyRoute = defineRoute({
  method: "POST",
  url: "/v1/keys/:id/rotate",
  access: "operator",
  operationId: "rotateKey",
  summary:
    "Issue the successor and deprecate this key until the end of the overlap (0 = emergency rollover: invalid at once)",
  tag: "keys",
  params: keyIdParams,
  query: mutationQuery,
  body: z
    .strictObject({
      // Fractions allowed (millisecond precision): short overlaps are how rotations are rehearsed.
      overlapSeconds: z.number().min(0).max(MAX_OVERLAP_SECONDS).optional(),
      retire: z.enum(["deadline", "idle"]).optional(),
      idleSeconds: z.number().min(0.1).max(MAX_OVERLAP_SECONDS).optional(),
    })
    .refine((options) => options.idleSeconds === undefined || options.retire === "idle", {
      message: 'idleSeconds applies only with retire: "idle"',
      path: ["idleSeconds"],
    })
    .optional(),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    201,
    "The rotation, the successor and its secret (shown once), and the deprecated predecessor",
    z.strictObject({
      rotation: rotationViewSchema,
      key: keyViewSchema,
      secret: z.string(),
      oldKey: keyViewSchema,
      propagation: propagationViewSchema,
    }),
  ),
  async handler({ params, query, body, actor, ctx }) {
    const result = await rotateKey(ctx.deps, actor, params.id, body ?? {});
    const now = ctx.deps.clock.now();
    return withPropagation(ctx, result.change, query.wait, 201, {
      rotation: rotationView(result.rotation),
      key: keyView(result.key, now),
      secret: result.secret,
      oldKey: keyView(result.oldKey, now),
    });
  },
});
