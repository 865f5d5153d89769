import { z } from "zod";
import { setMailPreferences } from "../../services/mail-preferences.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";

const notifications = z.strictObject({
  rotation_due: z.boolean().optional(),
  sunset_in_use: z.boolean().optional(),
  expired_in_use: z.boolean().optional(),
  quota_80: z.boolean().optional(),
  quota_100: z.boolean().optional(),
});

export const updateMeRoute = definePortalRoute({
  method: "PATCH",
  url: "/portal/v1/me",
  access: "session",
  operationId: "updateMe",
  summary:
    "Choose which optional mail you receive (rotation due, sunset while in use, expired while in use, quota 80 % / 100 %); security mail always goes out",
  tag: "account",
  body: z.strictObject({ notifications }),
  responses: {
    200: {
      description: "Your mail settings",
      schema: z.strictObject({ notifications: z.record(z.string(), z.boolean()) }),
    },
  },
  async handler(call) {
    const { consumer } = signedIn(call);
    return {
      status: 200,
      body: { notifications: await setMailPreferences(call.ctx.deps, consumer, call.body.notifications) },
    };
  },
});
