import { z } from "zod";
import { defineRoute } from "../route-kit.ts";

export const openapiJsonRoute = defineRoute({
  method: "GET",
  url: "/docs/openapi.json",
  access: "public",
  operationId: "openapiJson",
  summary: "This API's OpenAPI 3.1 document, at a file-like address for tools",
  tag: "operations",
  responses: { 200: { description: "OpenAPI 3.1", schema: z.record(z.string(), z.unknown()) } },
  async handler({ ctx }) {
    return { status: 200, body: ctx.openapi() };
  },
});
