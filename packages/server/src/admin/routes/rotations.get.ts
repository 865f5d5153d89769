import { getRotationOrThrow } from "../../services/rotations.ts";
import { analyticsStoreOf } from "../../usage/analytics-store-of.ts";
import { rotationTraffic } from "../../usage/usage-reports.ts";
import { rotationDetailViewSchema } from "../analytics-view-schemas.ts";
import { rotationTrafficView } from "../analytics-views.ts";
import { defineRoute } from "../route-kit.ts";
import { rotationIdParams } from "../schemas.ts";
import { rotationView } from "../views.ts";

export const getRotationRoute = defineRoute({
  method: "GET",
  url: "/v1/rotations/:id",
  access: "viewer",
  operationId: "getRotation",
  summary: "Read one rotation, with the traffic on its old and new keys",
  tag: "rotations",
  params: rotationIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The rotation and its traffic", schema: rotationDetailViewSchema } },
  async handler({ params, ctx }) {
    const rotation = await getRotationOrThrow(ctx.deps, params.id);
    const traffic = await rotationTraffic(analyticsStoreOf(ctx.deps.store), rotation, ctx.deps.clock.now());
    return { status: 200, body: { ...rotationView(rotation), traffic: rotationTrafficView(traffic) } };
  },
});
