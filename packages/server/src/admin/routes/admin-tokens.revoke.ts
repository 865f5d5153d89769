import { z } from "zod";
import { revokeAdminToken } from "../../services/admin-tokens.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { mutationQuery } from "../schemas.ts";
import { propagationViewSchema } from "../view-schemas.ts";
import { adminTokenIdParams, adminTokenView, adminTokenViewSchema } from "./admin-tokens.views.ts";

export const revokeAdminTokenRoute = defineRoute({
  method: "DELETE",
  url: "/v1/admin-tokens/:id",
  access: "admin",
  operationId: "revokeAdminToken",
  summary:
    "Revoke an admin token on every node (its hash is published like a key revocation; ?wait=true waits for every node)",
  tag: "admin-tokens",
  params: adminTokenIdParams,
  query: mutationQuery,
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "The revoked token",
    z.strictObject({ token: adminTokenViewSchema, propagation: propagationViewSchema }),
  ),
  async handler({ params, query, actor, ctx }) {
    const { token, change } = await revokeAdminToken(ctx.deps, actor, params.id);
    return withPropagation(ctx, change, query.wait, 200, {
      token: adminTokenView(token, ctx.deps.clock.now()),
    });
  },
});
