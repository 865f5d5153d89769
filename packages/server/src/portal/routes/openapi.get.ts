import { definePortalRoute } from "../portal-route-kit.ts";

export const portalOpenApiRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/openapi.json",
  access: "public",
  operationId: "getPortalOpenApi",
  summary: "This document: the portal API as OpenAPI 3.1",
  tag: "docs",
  responses: { 200: { description: "OpenAPI 3.1 document" } },
  async handler({ ctx }) {
    return { status: 200, body: ctx.openapi() };
  },
});
