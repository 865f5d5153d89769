import { z } from "zod";
import { keyIdParams, text } from "../../admin/schemas.ts";
import { revokeOwnKey } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalKeySchema } from "../portal-view-schemas.ts";
import { portalKeyViews } from "../portal-views.ts";

export const revokeKeyRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/keys/:id/revoke",
  access: "session",
  operationId: "revokeOwnKey",
  summary: "Revoke one of your keys: refused on every node at once",
  tag: "keys",
  params: keyIdParams,
  body: z.strictObject({ reason: text(500).optional() }).optional(),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: { 200: { description: "The revoked key", schema: z.strictObject({ key: portalKeySchema }) } },
  async handler(call) {
    const { consumer } = signedIn(call);
    const { deps } = call.ctx;
    const { key } = await revokeOwnKey(
      deps,
      consumer,
      call.params.id,
      call.body?.reason ?? "revoked_by_consumer",
    );
    const [view] = await portalKeyViews(deps, consumer, [key]);
    return { status: 200, body: { key: view } };
  },
});
