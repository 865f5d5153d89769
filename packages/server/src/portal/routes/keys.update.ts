import { z } from "zod";
import { allowedIps, assertAllowlistSize, keyIdParams, text } from "../../admin/schemas.ts";
import { updateOwnKey } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalKeySchema } from "../portal-view-schemas.ts";
import { portalKeyViews } from "../portal-views.ts";

export const updateKeyRoute = definePortalRoute({
  method: "PATCH",
  url: "/portal/v1/keys/:id",
  access: "session",
  operationId: "updateOwnKey",
  summary: "Rename one of your keys, or set the addresses it may be used from (allowedIps; null: anywhere)",
  tag: "keys",
  params: keyIdParams,
  body: z
    .strictObject({ name: text(200).optional(), allowedIps: allowedIps.nullable().optional() })
    .refine((patch) => patch.name !== undefined || patch.allowedIps !== undefined, {
      message: "name at least one field to change",
    }),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: { 200: { description: "The key", schema: z.strictObject({ key: portalKeySchema }) } },
  async handler(call) {
    const { consumer } = signedIn(call);
    assertAllowlistSize(call.body.allowedIps, call.ctx.maxAllowedIps, "/body/allowedIps");
    const { key } = await updateOwnKey(call.ctx.deps, consumer, call.params.id, call.body);
    const [view] = await portalKeyViews(call.ctx.deps, consumer, [key]);
    return { status: 200, body: { key: view } };
  },
});
