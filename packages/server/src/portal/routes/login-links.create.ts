import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { email } from "../../admin/schemas.ts";
import { requestLoginLink } from "../../services/portal-sign-in.ts";
import { definePortalRoute } from "../portal-route-kit.ts";

export const loginLinksRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/login-links",
  access: "public",
  operationId: "requestLoginLink",
  summary:
    "Mail a one-time sign-in link (15 minutes) to a known, enabled consumer. Always 202: the answer never tells whether the address is known",
  tag: "sign-in",
  body: z.strictObject({ email }),
  errors: ["RATE_LIMITED", "NOT_FOUND"],
  responses: { 202: { description: "Accepted; a mail is on its way if the address belongs to an account" } },
  async handler({ body, clientIp, ctx }) {
    if (ctx.templates === undefined) {
      throw new KeygateError(
        "NOT_FOUND",
        "Sign-in by mail is not configured here; ask your provider for a sign-in link.",
      );
    }
    const wait = ctx.throttle.take(body.email, clientIp, ctx.deps.clock.now());
    if (wait > 0) {
      throw new KeygateError(
        "RATE_LIMITED",
        `Too many sign-in links were requested; try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? "s" : ""}.`,
      );
    }
    await requestLoginLink(ctx.deps, body.email, { portalUrl: ctx.portalUrl, templates: ctx.templates });
    return { status: 202, body: { status: "accepted" } };
  },
});
