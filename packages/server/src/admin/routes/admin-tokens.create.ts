import { z } from "zod";
import { createAdminToken } from "../../services/admin-tokens.ts";
import { ADMIN_ROLES } from "../admin-roles.ts";
import { defineRoute } from "../route-kit.ts";
import { isoDateTime, text } from "../schemas.ts";
import { adminTokenView, adminTokenViewSchema } from "./admin-tokens.views.ts";

export const createAdminTokenRoute = defineRoute({
  method: "POST",
  url: "/v1/admin-tokens",
  access: "admin",
  operationId: "createAdminToken",
  summary:
    "Issue an admin token with a role (viewer, operator, admin, verifier) and an optional expiry; the secret is shown once",
  tag: "admin-tokens",
  body: z.strictObject({
    name: text(100),
    role: z.enum(ADMIN_ROLES as ["viewer", "operator", "admin", "verifier"]),
    expiresAt: isoDateTime.optional(),
  }),
  responses: {
    201: {
      description: "The token and its secret (kga_…, shown once; only its SHA-256 is stored)",
      schema: z.strictObject({ token: adminTokenViewSchema, secret: z.string() }),
    },
  },
  async handler({ body, actor, ctx }) {
    const { token, secret } = await createAdminToken(ctx.deps, actor, body);
    return { status: 201, body: { token: adminTokenView(token, ctx.deps.clock.now()), secret } };
  },
});
