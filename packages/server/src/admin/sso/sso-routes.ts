import type { IncomingHttpHeaders } from "node:http";
import { KeygateError } from "@keygate/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import {
  endOperatorSession,
  findLiveOperatorSession,
  startOperatorSession,
} from "../../services/operator-sessions.ts";
import type { ServiceDeps } from "../../services/service-deps.ts";
import type { OidcSignIn } from "./oidc-sign-in.ts";
import { checkOperatorCsrf } from "./operator-csrf.ts";
import {
  clearedOperatorSessionCookie,
  operatorCookieName,
  operatorSessionCookie,
  type PendingSignInCookie,
  readCookie,
} from "./sso-cookies.ts";

/** Single sign-on on the admin port, when `KEYGATE_OIDC_*` are set. */
export interface AdminSso {
  readonly signIn: OidcSignIn;
  readonly pendingCookie: PendingSignInCookie;
  /** Cookies are `Secure` (and prefixed) when the callback URL is https. */
  readonly secure: boolean;
  readonly sessionTtlMs: number;
}

// The refusal page has no script and no style; nothing on it may load anything.
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refusalPage(reply: FastifyReply, status: number, reason: string, setCookie: string[]) {
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused · keygate</title></head>' +
    `<body><main><h1>Sign-in refused</h1><p id="reason">${escapeHtml(reason)}</p>` +
    '<p><a href="/">Back to the keygate sign-in page</a></p></main></body></html>';
  return reply.code(status).headers(PAGE_HEADERS).header("set-cookie", setCookie).send(body);
}

/** The dashboard session's cookie token from a request, if it sent one. */
export function operatorSessionToken(headers: IncomingHttpHeaders, secure: boolean): string | undefined {
  const token = readCookie(headers.cookie, operatorCookieName(secure));
  return token === undefined || token === "" ? undefined : token;
}

/**
 * `GET /auth/sso` (whether SSO is on: the login page shows its button),
 * and with SSO: `GET /auth/login` (to the provider), `GET /auth/callback`
 * (back from it: a session cookie, then the dashboard), `POST /auth/logout`.
 * They are browser navigations, not API operations: outside the OpenAPI
 * document, answered with redirects and pages.
 */
export function registerSsoRoutes(app: FastifyInstance, deps: ServiceDeps, sso: AdminSso | undefined): void {
  app.get("/auth/sso", { config: { access: "public" } }, async (_request, reply) =>
    reply
      .type("application/json; charset=utf-8")
      .send(
        JSON.stringify(sso === undefined ? { enabled: false } : { enabled: true, loginUrl: "/auth/login" }),
      ),
  );
  if (sso === undefined) return;

  app.get("/auth/login", { config: { access: "public" } }, async (request, reply) => {
    let started: Awaited<ReturnType<OidcSignIn["start"]>>;
    try {
      started = await sso.signIn.start(deps.clock.now());
    } catch (error) {
      request.log.warn({ err: error }, "OpenID provider discovery failed");
      return refusalPage(reply, 502, "The identity provider cannot be reached. Try again later.", []);
    }
    return reply
      .header("set-cookie", sso.pendingCookie.serialize(started.pending, 600))
      .redirect(started.url, 302);
  });

  app.get("/auth/callback", { config: { access: "public" } }, async (request, reply) => {
    const query = request.url.indexOf("?");
    const search = query < 0 ? "" : request.url.slice(query);
    const pending = sso.pendingCookie.read(request.headers.cookie);
    const outcome = await sso.signIn.finish(search, pending, deps.clock.now());
    // Spent or not, the pending sign-in is forgotten: a callback is never tried twice with it.
    const clearPending = sso.pendingCookie.cleared();
    if (outcome.type === "refused") {
      request.log.info({ reason: outcome.reason }, "dashboard sign-in refused");
      return refusalPage(reply, outcome.status, outcome.reason, [clearPending]);
    }
    const { token } = await startOperatorSession(deps, outcome, sso.sessionTtlMs);
    return reply
      .header("set-cookie", [
        clearPending,
        operatorSessionCookie(token, Math.floor(sso.sessionTtlMs / 1000), sso.secure),
      ])
      .redirect("/", 302);
  });

  // Needs the CSRF header like any change: another site must not sign an operator out.
  app.post("/auth/logout", { config: { access: "public" } }, async (request, reply) => {
    const token = operatorSessionToken(request.headers, sso.secure);
    if (token !== undefined) {
      let session: Awaited<ReturnType<typeof findLiveOperatorSession>> | undefined;
      try {
        session = await findLiveOperatorSession(deps, token);
      } catch (error) {
        if (!(error instanceof KeygateError && error.code === "UNAUTHENTICATED")) throw error;
      }
      if (session !== undefined) {
        checkOperatorCsrf(request.headers, session.csrfToken);
        await endOperatorSession(deps, session);
      }
    }
    return reply.code(204).header("set-cookie", clearedOperatorSessionCookie(sso.secure)).send();
  });
}
