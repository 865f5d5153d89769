import type { SelfServicePolicy } from "@keygate/core";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { fastify } from "fastify";
import { DashboardFiles } from "../admin/dashboard-static.ts";
import { buildOpenApiDocument } from "../admin/openapi.ts";
import { requestInstance, sendProblem } from "../admin/problem-reply.ts";
import { jsonApiOptions, useJsonProblems } from "../http/json-api-app.ts";
import { problemFor } from "../http/problem.ts";
import type { AdminLimits } from "../limits/admin-limits.ts";
import type { MailTemplates } from "../mail/mail-templates.ts";
import { authenticatePortalSession } from "../services/portal-sign-in.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import { LoginThrottle } from "./login-throttle.ts";
import type { PortalBranding, PortalContext } from "./portal-context.ts";
import type { PortalAuth } from "./portal-route-kit.ts";
import { portalRoutes } from "./portal-routes.ts";
import { checkCsrf, checkOrigin, PORTAL_HEADERS, portalPageHeaders } from "./portal-security.ts";
import { readSessionCookie } from "./session-cookie.ts";

const API_VERSION = "0.1.0";
const BODY_LIMIT = 16 * 1024;
const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export interface PortalAppOptions {
  readonly deps: ServiceDeps;
  readonly policy: SelfServicePolicy;
  readonly branding: PortalBranding;
  /** Public URL of the portal, no trailing slash. `https://…` makes the cookie `Secure`. */
  readonly portalUrl: string;
  readonly sessionTtlSeconds: number;
  readonly loginLinksPerAddressPerHour: number;
  readonly loginLinksPerIpPerHour: number;
  /** Undefined: no SMTP, so no sign-in by mail. */
  readonly templates: MailTemplates | undefined;
  readonly limits: AdminLimits | undefined;
  readonly maxAllowedIps: number;
  /** The built portal web app (`packages/dashboard/dist-portal`). */
  readonly staticDir: string | undefined;
  readonly logger?: FastifyBaseLogger | undefined;
  ready(): Promise<boolean>;
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>keygate portal not built</title></head>
<body><h1>The keygate portal is not built</h1>
<p>Run <code>npm run build -w @keygate/dashboard</code> in the keygate repository, then reload this page.</p>
</body></html>
`;

/**
 * The consumer portal: its JSON API under `/portal/v1` and its web app at
 * every other path, on its own port so a provider can expose it without the
 * admin port. Sessions are server-side (cookie → hashed token → record, read
 * on every request); mutations need the CSRF header; no CORS is answered.
 */
export async function buildPortalApp(options: PortalAppOptions): Promise<FastifyInstance> {
  const app = fastify({
    ...jsonApiOptions(BODY_LIMIT),
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    // Slow clients do not hold the port: whole requests within 15 s.
    requestTimeout: 15_000,
    connectionTimeout: 30_000,
  });
  useJsonProblems(app, BODY_LIMIT, "portal");

  const pages =
    options.staticDir === undefined
      ? undefined
      : new DashboardFiles(options.staticDir, {
          reservedPrefixes: ["/portal", "/healthz", "/readyz"],
          htmlHeaders: portalPageHeaders(options.branding.logoUrl),
          missingBuildPage: MISSING_BUILD_PAGE,
        });
  app.setNotFoundHandler(async (request, reply) => {
    if (pages !== undefined && (request.method === "GET" || request.method === "HEAD")) {
      const answer = await pages.answer(request.url);
      if (answer !== null) return reply.code(answer.status).headers(answer.headers).send(answer.body);
    }
    return sendProblem(reply, problemFor("NOT_FOUND", "No such route.", requestInstance(request.url)));
  });
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-request-id", request.id);
    for (const [name, value] of Object.entries(PORTAL_HEADERS))
      if (!reply.hasHeader(name)) reply.header(name, value);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    return payload;
  });

  const secure = options.portalUrl.startsWith("https://");
  const portalOrigin = new URL(options.portalUrl).origin;
  const ctx: PortalContext = {
    deps: options.deps,
    policy: options.policy,
    branding: options.branding,
    portalUrl: options.portalUrl,
    sessionTtlSeconds: options.sessionTtlSeconds,
    secureCookies: secure,
    templates: options.templates,
    limits: options.limits,
    throttle: new LoginThrottle({
      perAddressPerHour: options.loginLinksPerAddressPerHour,
      perIpPerHour: options.loginLinksPerIpPerHour,
    }),
    openapi: () => document,
    ready: options.ready,
    maxAllowedIps: options.maxAllowedIps,
  };
  const document = buildOpenApiDocument(portalRoutes, API_VERSION, {
    title: "keygate consumer portal API",
    description:
      "What a consumer does with its own keys: sign in, create, rotate, revoke, watch usage. Session cookie " +
      "auth; every change sends x-keygate-csrf. Errors are application/problem+json (RFC 9457).",
    securitySchemes: {
      portalSession: {
        type: "apiKey",
        in: "cookie",
        name: secure ? "__Host-keygate_portal" : "keygate_portal",
        description: "The session cookie set by POST /portal/v1/sessions",
      },
    },
  });

  const auths = new WeakMap<object, PortalAuth>();
  for (const route of portalRoutes) {
    app.route({
      method: route.method,
      url: route.url,
      // Before the body is read: a forged or anonymous request never gets it parsed.
      onRequest: async (request) => {
        if (route.method !== "GET") {
          const host = request.headers.host;
          checkOrigin(
            request.headers,
            portalOrigin,
            host === undefined ? undefined : `${secure ? "https" : "http"}://${host}`,
          );
        }
        if (route.access !== "session") return;
        const auth = await authenticatePortalSession(
          options.deps,
          readSessionCookie(request.headers.cookie, secure),
        );
        if (route.method !== "GET") checkCsrf(request.headers, auth.session.csrfToken);
        auths.set(request, auth);
      },
      handler: async (request, reply) => {
        const result = await route.handle({
          params: request.params,
          query: request.query,
          body: request.body,
          auth: auths.get(request),
          clientIp: request.socket.remoteAddress ?? "unknown",
          ctx,
        });
        reply.code(result.status);
        for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
        if (result.body === undefined || result.status === 204) return reply.send();
        reply.type(JSON_CONTENT_TYPE);
        return reply.send(JSON.stringify(result.body));
      },
    });
  }
  app.get("/healthz", async (_request, reply) => reply.type(JSON_CONTENT_TYPE).send('{"status":"ok"}'));
  app.get("/readyz", async (_request, reply) => {
    const ok = await options.ready();
    if (ok) return reply.type(JSON_CONTENT_TYPE).send('{"status":"ready"}');
    return sendProblem(reply, problemFor("STORE_UNAVAILABLE", "The store does not answer.", "/readyz"));
  });
  await app.ready();
  return app;
}
