import { getConsumerOrThrow } from "../../services/consumers.ts";
import { defineRoute } from "../route-kit.ts";
import { consumerIdParams } from "../schemas.ts";
import { consumerViewSchema } from "../view-schemas.ts";
import { consumerView } from "../views.ts";

export const getConsumerRoute = defineRoute({
  method: "GET",
  url: "/v1/consumers/:id",
  access: "viewer",
  operationId: "getConsumer",
  summary: "Read one consumer",
  tag: "consumers",
  params: consumerIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The consumer", schema: consumerViewSchema } },
  async handler({ params, ctx }) {
    return { status: 200, body: consumerView(await getConsumerOrThrow(ctx.deps, params.id)) };
  },
});
