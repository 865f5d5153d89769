import { getRotationOrThrow } from "../../services/rotations.ts";
import { defineRoute } from "../route-kit.ts";
import { rotationIdParams } from "../schemas.ts";
import { rotationViewSchema } from "../view-schemas.ts";
import { rotationView } from "../views.ts";

export const getRotationRoute = defineRoute({
  method: "GET",
  url: "/v1/rotations/:id",
  access: "read",
  operationId: "getRotation",
  summary: "Read one rotation",
  tag: "rotations",
  params: rotationIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The rotation", schema: rotationViewSchema } },
  async handler({ params, ctx }) {
    return { status: 200, body: rotationView(await getRotationOrThrow(ctx.deps, params.id)) };
  },
});
