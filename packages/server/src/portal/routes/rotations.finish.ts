import { rotationIdParams } from "../../admin/schemas.ts";
import { completeOwnRotation, rollbackOwnRotation } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalRotationSchema } from "../portal-view-schemas.ts";
import { portalRotationView } from "../portal-views.ts";

export const completeRotationRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/rotations/:id/complete",
  access: "session",
  operationId: "completeOwnRotation",
  summary: "Finish one of your rotations now: the old key stops working",
  tag: "rotations",
  params: rotationIdParams,
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: { 200: { description: "The completed rotation", schema: portalRotationSchema } },
  async handler(call) {
    const { consumer } = signedIn(call);
    const { rotation } = await completeOwnRotation(call.ctx.deps, consumer, call.params.id);
    return { status: 200, body: await portalRotationView(call.ctx.deps, rotation) };
  },
});

export const rollbackRotationRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/rotations/:id/rollback",
  access: "session",
  operationId: "rollbackOwnRotation",
  summary: "Undo one of your rotations during its overlap: the old key is active again, the new one revoked",
  tag: "rotations",
  params: rotationIdParams,
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: { 200: { description: "The rolled-back rotation", schema: portalRotationSchema } },
  async handler(call) {
    const { consumer } = signedIn(call);
    const { rotation } = await rollbackOwnRotation(call.ctx.deps, consumer, call.params.id);
    return { status: 200, body: await portalRotationView(call.ctx.deps, rotation) };
  },
});
