import { z } from "zod";
import { updateConsumer } from "../../services/consumers.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import {
  consumerIdParams,
  email,
  metadata,
  mutationQuery,
  planName,
  rotationPolicy,
  text,
} from "../schemas.ts";
import { consumerViewSchema, propagationViewSchema } from "../view-schemas.ts";
import { consumerView } from "../views.ts";

export const updateConsumerRoute = defineRoute({
  method: "PATCH",
  url: "/v1/consumers/:id",
  access: "operator",
  operationId: "updateConsumer",
  summary: "Change a consumer; disabling it or changing its plan reaches every node's cache",
  tag: "consumers",
  params: consumerIdParams,
  query: mutationQuery,
  body: z
    .strictObject({
      name: text(200).optional(),
      email: email.nullable().optional(),
      plan: planName.nullable().optional(),
      metadata: metadata.optional(),
      disabled: z.boolean().optional(),
      rotationPolicy: rotationPolicy.nullable().optional(),
    })
    .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
      message: "name at least one field to change",
    }),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "The consumer as stored",
    z.strictObject({ consumer: consumerViewSchema, propagation: propagationViewSchema }),
  ),
  async handler({ params, query, body, actor, ctx }) {
    const { consumer, change } = await updateConsumer(ctx.deps, actor, params.id, body);
    return withPropagation(ctx, change, query.wait, 200, { consumer: consumerView(consumer) });
  },
});
