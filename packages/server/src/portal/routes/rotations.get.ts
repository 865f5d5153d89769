import { rotationIdParams } from "../../admin/schemas.ts";
import { ownRotation } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalRotationSchema } from "../portal-view-schemas.ts";
import { portalRotationView } from "../portal-views.ts";

export const getRotationRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/rotations/:id",
  access: "session",
  operationId: "getOwnRotation",
  summary: "One of your rotations with the old and new keys' traffic per minute (last 30 minutes)",
  tag: "rotations",
  params: rotationIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The rotation", schema: portalRotationSchema } },
  async handler(call) {
    const { consumer } = signedIn(call);
    const rotation = await ownRotation(call.ctx.deps, consumer, call.params.id);
    return { status: 200, body: await portalRotationView(call.ctx.deps, rotation) };
  },
});
