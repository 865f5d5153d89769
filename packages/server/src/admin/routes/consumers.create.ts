import { z } from "zod";
import { createConsumer } from "../../services/consumers.ts";
import { defineRoute } from "../route-kit.ts";
import { email, metadata, mutationQuery, planName, rotationPolicy, text } from "../schemas.ts";
import { consumerViewSchema } from "../view-schemas.ts";
import { consumerView } from "../views.ts";

export const createConsumerRoute = defineRoute({
  method: "POST",
  url: "/v1/consumers",
  access: "operator",
  operationId: "createConsumer",
  summary: "Create a consumer (it has no keys yet, so no cache is affected)",
  tag: "consumers",
  query: mutationQuery,
  body: z.strictObject({
    name: text(200),
    email: email.nullable().optional(),
    plan: planName.nullable().optional(),
    metadata: metadata.optional(),
    rotationPolicy: rotationPolicy.nullable().optional(),
  }),
  responses: { 201: { description: "The new consumer", schema: consumerViewSchema } },
  async handler({ body, actor, ctx }) {
    const consumer = await createConsumer(ctx.deps, actor, body);
    return { status: 201, body: consumerView(consumer) };
  },
});
