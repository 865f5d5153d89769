import { z } from "zod";
import { redeemPortalLink } from "../../services/portal-sign-in.ts";
import { definePortalRoute } from "../portal-route-kit.ts";
import { sessionCookie } from "../session-cookie.ts";

export const createSessionRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/sessions",
  access: "public",
  operationId: "signIn",
  summary:
    "Spend a one-time sign-in link (the token from /login/<token>) on a session; sets the HttpOnly session cookie",
  tag: "sign-in",
  body: z.strictObject({ token: z.string().min(1).max(200) }),
  responses: {
    201: {
      description: "Signed in; the cookie is set",
      schema: z.strictObject({ expiresAt: z.iso.datetime() }),
    },
  },
  async handler({ body, ctx }) {
    const { session, cookieToken } = await redeemPortalLink(ctx.deps, body.token, ctx.sessionTtlSeconds);
    return {
      status: 201,
      body: { expiresAt: new Date(session.expiresAt).toISOString() },
      headers: { "set-cookie": sessionCookie(cookieToken, ctx.sessionTtlSeconds, ctx.secureCookies) },
    };
  },
});
