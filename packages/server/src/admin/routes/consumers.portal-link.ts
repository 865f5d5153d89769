import { z } from "zod";
import {
  createPortalLink,
  HANDOFF_LINK_DEFAULT_TTL_SECONDS,
  HANDOFF_LINK_MAX_TTL_SECONDS,
} from "../../services/portal-sign-in.ts";
import { defineRoute } from "../route-kit.ts";
import { consumerIdParams } from "../schemas.ts";

const DEFAULT_PORTAL_URL = "http://127.0.0.1:7071";

export const consumerPortalLinkRoute = defineRoute({
  method: "POST",
  url: "/v1/consumers/:id/portal-links",
  access: "operator",
  operationId: "createPortalLink",
  summary:
    "A one-time consumer portal sign-in link: your site, having authenticated its user, redirects them to `url`",
  tag: "consumers",
  params: consumerIdParams,
  body: z
    .strictObject({
      ttlSeconds: z.int().min(30).max(HANDOFF_LINK_MAX_TTL_SECONDS).optional(),
    })
    .optional(),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: {
    201: {
      description: "The link (works once, until expiresAt); treat it like a password until it is used",
      schema: z.strictObject({ url: z.string(), expiresAt: z.iso.datetime() }),
    },
  },
  async handler({ params, body, actor, ctx }) {
    const { url, expiresAt } = await createPortalLink(ctx.deps, actor, params.id, {
      ttlSeconds: body?.ttlSeconds ?? HANDOFF_LINK_DEFAULT_TTL_SECONDS,
      portalUrl: ctx.portalUrl ?? DEFAULT_PORTAL_URL,
    });
    return { status: 201, body: { url, expiresAt: new Date(expiresAt).toISOString() } };
  },
});
