import { z } from "zod";
import { ownKeys } from "../../services/portal-keys.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { portalKeySchema } from "../portal-view-schemas.ts";
import { portalKeyViews } from "../portal-views.ts";

export const listKeysRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/keys",
  access: "session",
  operationId: "listOwnKeys",
  summary: "Your keys, newest first (never secrets), with requests in the last 24 hours and open rotations",
  tag: "keys",
  responses: {
    200: { description: "Your keys", schema: z.strictObject({ data: z.array(portalKeySchema) }) },
  },
  async handler(call) {
    const { consumer } = signedIn(call);
    const keys = (await ownKeys(call.ctx.deps, consumer)).sort(
      (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1),
    );
    return { status: 200, body: { data: await portalKeyViews(call.ctx.deps, consumer, keys) } };
  },
});
