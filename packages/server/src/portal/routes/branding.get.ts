import { definePortalRoute } from "../portal-route-kit.ts";
import { brandingSchema } from "../portal-view-schemas.ts";

export const brandingRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/branding",
  access: "public",
  operationId: "getBranding",
  summary: "The provider's title, logo, colour and support link, and whether sign-in by mail is on",
  tag: "sign-in",
  responses: { 200: { description: "Branding", schema: brandingSchema } },
  async handler({ ctx }) {
    const { title, logoUrl, accentColor, supportUrl } = ctx.branding;
    return {
      status: 200,
      body: { title, logoUrl, accentColor, supportUrl, mailSignIn: ctx.templates !== undefined },
    };
  },
});
