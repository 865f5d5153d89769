import { keyIdParams } from "../../admin/schemas.ts";
import { ownKey } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalKeySchema } from "../portal-view-schemas.ts";
import { portalKeyViews } from "../portal-views.ts";

export const getKeyRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/keys/:id",
  access: "session",
  operationId: "getOwnKey",
  summary: "One of your keys; another consumer's key is 404",
  tag: "keys",
  params: keyIdParams,
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The key", schema: portalKeySchema } },
  async handler(call) {
    const { consumer } = signedIn(call);
    const key = await ownKey(call.ctx.deps, consumer, call.params.id);
    const [view] = await portalKeyViews(call.ctx.deps, consumer, [key]);
    return { status: 200, body: view };
  },
});
