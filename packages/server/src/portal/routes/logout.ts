import { endPortalSession } from "../../services/portal-sign-in.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { clearedSessionCookie } from "../session-cookie.ts";

export const logoutRoute = definePortalRoute({
  method: "POST",
  url: "/portal/v1/logout",
  access: "session",
  operationId: "signOut",
  summary: "End this session on every node; its cookie is refused from now on",
  tag: "sign-in",
  responses: { 204: { description: "Signed out" } },
  async handler(call) {
    await endPortalSession(call.ctx.deps, signedIn(call).session);
    return { status: 204, headers: { "set-cookie": clearedSessionCookie(call.ctx.secureCookies) } };
  },
});
