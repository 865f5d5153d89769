import { z } from "zod";
import { defineRoute } from "../route-kit.ts";

const documentSchema = z.record(z.string(), z.unknown());

export const docsRoute = defineRoute({
  method: "GET",
  url: "/docs",
  access: "public",
  operationId: "openapi",
  summary: "This API's OpenAPI 3.1 document (JSON)",
  tag: "operations",
  responses: { 200: { description: "OpenAPI 3.1", schema: documentSchema } },
  async handler({ ctx }) {
    return { status: 200, body: ctx.openapi() };
  },
});
