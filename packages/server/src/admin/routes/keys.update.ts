import { z } from "zod";
import { updateKey } from "../../services/update-key.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import {
  allowedIps,
  assertAllowlistSize,
  DEFAULT_MAX_ALLOWED_IPS,
  keyIdParams,
  mutationQuery,
  text,
} from "../schemas.ts";
import { keyViewSchema, propagationViewSchema } from "../view-schemas.ts";
import { keyView } from "../views.ts";

export const updateKeyRoute = defineRoute({
  method: "PATCH",
  url: "/v1/keys/:id",
  access: "operator",
  operationId: "updateKey",
  summary:
    "Rename a key or set where it may be used from (allowedIps; null lifts it); every node's cache drops the key",
  tag: "keys",
  params: keyIdParams,
  query: mutationQuery,
  body: z
    .strictObject({ name: text(200).optional(), allowedIps: allowedIps.nullable().optional() })
    .refine((patch) => patch.name !== undefined || patch.allowedIps !== undefined, {
      message: "name at least one field to change",
    }),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "The key as stored",
    z.strictObject({ key: keyViewSchema, propagation: propagationViewSchema }),
  ),
  async handler({ params, query, body, actor, ctx }) {
    assertAllowlistSize(body.allowedIps, ctx.maxAllowedIps ?? DEFAULT_MAX_ALLOWED_IPS, "/body/allowedIps");
    const { key, change } = await updateKey(ctx.deps, actor, params.id, body);
    return withPropagation(ctx, change, query.wait, 200, { key: keyView(key, ctx.deps.clock.now()) });
  },
});
