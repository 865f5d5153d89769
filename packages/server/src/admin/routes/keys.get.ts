import { getKeyOrThrow } from "../../services/rotate-key.ts";
import { defineRoute } from "../route-kit.ts";
import { keyIdParams } from "../schemas.ts";
import { keyViewSchema } from "../view-schemas.ts";
import { keyView } from "../views.ts";

export const getKeyRoute = defineRoute({
  method: "GET",
  url: "/v1/keys/:id",
  access: "viewer",
  operationId: "getKey",
  summary: "Read one key (its hint, never its secret or hash)",
  tag: "keys",
  params: keyIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The key", schema: keyViewSchema } },
  async handler({ params, ctx }) {
    return { status: 200, body: keyView(await getKeyOrThrow(ctx.deps, params.id), ctx.deps.clock.now()) };
  },
});
