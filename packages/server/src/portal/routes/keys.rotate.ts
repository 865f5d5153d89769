import { z } from "zod";
import { keyIdParams } from "../../admin/schemas.ts";
import { rotateOwnKey } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalKeySchema, portalRotationSchema } from "../portal-view-schemas.ts";
import { portalKeyViews, portalRotationView } from "../portal-views.ts";

export const rotateKeyRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/keys/:id/rotate",
  access: "session",
  operationId: "rotateOwnKey",
  summary:
    "Rotate one of your keys: a new key now (secret in this answer only), the old one keeps working until the end of the overlap",
  tag: "keys",
  params: keyIdParams,
  body: z.strictObject({ overlapSeconds: z.int().min(0).optional() }).optional(),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: {
    201: {
      description: "The rotation, the new key and its secret (shown once)",
      schema: z.strictObject({ rotation: portalRotationSchema, key: portalKeySchema, secret: z.string() }),
    },
  },
  async handler(call) {
    const { consumer } = signedIn(call);
    const { deps, policy } = call.ctx;
    const result = await rotateOwnKey(deps, consumer, call.params.id, call.body?.overlapSeconds, policy);
    const [view] = await portalKeyViews(deps, consumer, [result.key]);
    return {
      status: 201,
      body: { rotation: await portalRotationView(deps, result.rotation), key: view, secret: result.secret },
    };
  },
});
