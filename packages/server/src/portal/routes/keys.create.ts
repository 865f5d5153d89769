import { z } from "zod";
import { allowedIps, assertAllowlistSize, isoDateTime, scopes, text } from "../../admin/schemas.ts";
import { createOwnKey } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalKeySchema } from "../portal-view-schemas.ts";
import { portalKeyViews } from "../portal-views.ts";

export const createKeyRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/keys",
  access: "session",
  operationId: "createOwnKey",
  summary: "Create a key; its secret is in this answer and never again. Scopes must be part of your plan",
  tag: "keys",
  body: z.strictObject({
    name: text(200),
    scopes: scopes.optional(),
    env: z.enum(["live", "test"]).optional(),
    expiresAt: isoDateTime.nullable().optional(),
    allowedIps: allowedIps.nullable().optional(),
  }),
  errors: ["KEY_LIMIT_REACHED"],
  responses: {
    201: {
      description: "The key and its secret (shown once)",
      schema: z.strictObject({ key: portalKeySchema, secret: z.string() }),
    },
  },
  async handler(call) {
    const { consumer } = signedIn(call);
    assertAllowlistSize(call.body.allowedIps, call.ctx.maxAllowedIps, "/body/allowedIps");
    const { key, secret } = await createOwnKey(call.ctx.deps, consumer, call.body, call.ctx.policy);
    const [view] = await portalKeyViews(call.ctx.deps, consumer, [key]);
    return { status: 201, body: { key: view, secret } };
  },
});
