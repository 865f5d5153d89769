import { z } from "zod";
import { issueKey } from "../../services/issue-key.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import {
  allowedIps,
  assertAllowlistSize,
  consumerIdParams,
  DEFAULT_MAX_ALLOWED_IPS,
  isoDateTime,
  metadata,
  mutationQuery,
  scopes,
  text,
} from "../schemas.ts";
import { keyViewSchema, propagationViewSchema } from "../view-schemas.ts";
import { keyView } from "../views.ts";

export const createKeyRoute = defineRoute({
  method: "POST",
  url: "/v1/consumers/:id/keys",
  access: "operator",
  operationId: "createKey",
  summary: "Issue a key (version 1 of a new lineage); the secret is in this answer and never again",
  tag: "keys",
  params: consumerIdParams,
  query: mutationQuery,
  body: z.strictObject({
    name: text(200),
    scopes: scopes.optional(),
    env: z.enum(["live", "test"]).optional(),
    expiresAt: isoDateTime.nullable().optional(),
    metadata: metadata.optional(),
    allowedIps: allowedIps.nullable().optional(),
  }),
  errors: ["NOT_FOUND"],
  responses: mutationResponses(
    201,
    "The key and its secret (shown once)",
    z.strictObject({ key: keyViewSchema, secret: z.string(), propagation: propagationViewSchema }),
  ),
  async handler({ params, query, body, actor, ctx }) {
    assertAllowlistSize(body.allowedIps, ctx.maxAllowedIps ?? DEFAULT_MAX_ALLOWED_IPS, "/body/allowedIps");
    const { key, secret, change } = await issueKey(ctx.deps, actor, params.id, body);
    return withPropagation(ctx, change, query.wait, 201, { key: keyView(key, ctx.deps.clock.now()), secret });
  },
});
