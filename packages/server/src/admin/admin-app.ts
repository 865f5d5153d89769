import { hostname } from "node:os";
import { KeygateError } from "@keygate/core";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifyServerOptions } from "fastify";
import { fastify } from "fastify";
import { clientSubject } from "../alerts/auth-failure-guard.ts";
import type { PropagationTracker } from "../cluster/propagation.ts";
import type { NodeInfo } from "../cluster/redis/node-registry.ts";
import { clientAddress, trustedProxies } from "../http/client-address.ts";
import { jsonApiOptions, useJsonProblems } from "../http/json-api-app.ts";
import { problemFor, problemHeaders } from "../http/problem.ts";
import type { LeakIntake } from "../leaks/leak-intake.ts";
import { captureRawBody, rawBodyOf } from "../leaks/raw-body-capture.ts";
import type { AdminLimits } from "../limits/admin-limits.ts";
import { REDACTED_PATHS } from "../logging/create-logger.ts";
import { findLiveOperatorSession, operatorActor } from "../services/operator-sessions.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import type { WebhookAdmin } from "../webhooks/webhook-admin.ts";
import { AdminAuthenticator, AdminAuthThrottle } from "./admin-auth.ts";
import { isAdminRole } from "./admin-roles.ts";
import { adminRoutes } from "./admin-routes.ts";
import { applyAdminSecurityHeaders } from "./admin-security-headers.ts";
import { AdminTokenUsage } from "./admin-token-usage.ts";
import { DashboardFiles } from "./dashboard-static.ts";
import type { KeyVerifyFunction } from "./key-verifier.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { requestInstance, sendProblem } from "./problem-reply.ts";
import { authenticateRequest, type Principal } from "./request-auth.ts";
import { type Access, type AdminContext, isRoleAccess } from "./route-kit.ts";
import { OidcSignIn, type OidcSignInOptions } from "./sso/oidc-sign-in.ts";
import { PendingSignInCookie } from "./sso/sso-cookies.ts";
import { type AdminSso, operatorSessionToken, registerSsoRoutes } from "./sso/sso-routes.ts";

const API_VERSION = "0.1.0";
const DEFAULT_BODY_LIMIT = 64 * 1024;
const MAX_PROPAGATION_WAIT_MS = 5_000;
const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export interface AdminAppOptions {
  readonly deps: ServiceDeps;
  /** Reports, and waits for, the acknowledgements of a change (`propagation` in mutating answers). */
  readonly propagation: PropagationTracker;
  /** The node's key verifier, for `POST /v1/verify` and `POST /v1/self/rotate`. */
  readonly verify: KeyVerifyFunction;
  /** A pino instance (used as is), or fastify logger options (secrets redacted). Default: no logging. */
  readonly logger?: FastifyBaseLogger | FastifyServerOptions["logger"];
  /** Largest accepted request body; 413 PAYLOAD_TOO_LARGE past it. Default 64 KiB. */
  readonly bodyLimitBytes?: number | undefined;
  /** True when the store answers (`GET /readyz`). */
  ready(): Promise<boolean>;
  /** Prometheus text for `GET /metrics`. */
  metrics(): Promise<string>;
  /**
   * The built dashboard directory, served at `/` (files, and `index.html` for unknown non-API paths).
   * Without it, `/` is a 404 like any unknown path.
   */
  readonly staticDir?: string | undefined;
  /** Shown by `/healthz` and `/readyz`. Default: the host name. */
  readonly nodeId?: string | undefined;
  /** How long an admin-token lookup is reused (a revoked token lives this long on a node). Default 5 s. */
  readonly tokenCacheTtlMs?: number | undefined;
  /** Upper bound of `?wait=true`. Default and maximum 5 s. */
  readonly propagationWaitMs?: number | undefined;
  /** The cluster's live nodes, for `GET /v1/nodes`. */
  readonly liveNodes?: (() => Promise<readonly NodeInfo[]>) | undefined;
  /** Enables `POST /v1/leaks` (GitHub secret-scanning reports). Without it every report is refused. */
  readonly leaks?: LeakIntake | undefined;
  /** Webhook settings from the config (`webhooks.allowPrivateNetworks`). Default: private networks refused. */
  readonly webhooks?: WebhookAdmin | undefined;
  /** Rate limits and quotas (the gateway's limiter): charged by `POST /v1/verify`. Default: none. */
  readonly limits?: AdminLimits | undefined;
  /** Public URL of the consumer portal, for hand-off links. Default: `http://127.0.0.1:7071`. */
  readonly portalUrl?: string | undefined;
  /** Request, header and idle-connection timeouts of the admin port. */
  readonly timeouts?: AdminTimeouts | undefined;
  /**
   * Refused admin tokens per minute from one client (IPv4 address or IPv6
   * /64) above which it is answered 429 with `Retry-After` until the minute
   * ends. Default 30; 0 turns it off.
   */
  readonly authFailuresPerMinute?: number | undefined;
  /** Proxies whose `X-Forwarded-For` names the client, for that throttle (`gateway.trustedProxies`). Default: none. */
  readonly trustedProxies?: readonly string[] | undefined;
  /** Longest IP allowlist per key. Default 100. */
  readonly maxAllowedIps?: number | undefined;
  /** Plans whose keys may not rotate themselves (`plans.<name>.selfRotation: false`). Default: none. */
  readonly selfRotationDisabled?: readonly string[] | undefined;
  /** OpenID Connect sign-in for the dashboard (`KEYGATE_OIDC_*`, `oidc`); absent: admin tokens only. */
  readonly sso?: AdminSsoOptions | undefined;
}

/** The provider, the role mapping and the session length of dashboard single sign-on. */
export interface AdminSsoOptions extends OidcSignInOptions {
  /** How long a dashboard session lasts. */
  readonly sessionTtlMs: number;
}

/** Slow-client bounds of the admin port (security review 3): fastify disables node's request timeout by default. */
export interface AdminTimeouts {
  /** Longest time to receive a whole request (headers and body); 408 or cut past it. Default 30 s. */
  readonly requestTimeoutMs?: number | undefined;
  /** Longest time to receive the request headers. Default 10 s (at most `requestTimeoutMs`). */
  readonly headersTimeoutMs?: number | undefined;
  /** A socket with no traffic for this long is closed. Default 60 s. */
  readonly connectionTimeoutMs?: number | undefined;
}

/** A route as fastify registered it: the security suite walks this list, not the definitions. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: Access | undefined;
}

const registeredRoutes = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route fastify registered on an app built by `buildAdminApp`. */
export function listAdminRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return registeredRoutes.get(app) ?? [];
}

function isLoggerInstance(logger: AdminAppOptions["logger"]): logger is FastifyBaseLogger {
  return (
    typeof logger === "object" &&
    logger !== null &&
    typeof (logger as { child?: unknown }).child === "function"
  );
}

function loggerOptions(
  logger: AdminAppOptions["logger"],
): Pick<FastifyServerOptions, "logger" | "loggerInstance"> {
  if (isLoggerInstance(logger)) return { loggerInstance: logger };
  if (typeof logger === "object" && logger !== null) {
    return {
      logger: { ...logger, redact: logger.redact ?? { paths: REDACTED_PATHS, censor: "[redacted]" } },
    };
  }
  return { logger: logger ?? false };
}

function accessOf(config: unknown): Access | undefined {
  if (typeof config !== "object" || config === null) return undefined;
  const access: unknown = (config as { access?: unknown }).access;
  return access === "public" || access === "consumer" || isAdminRole(access) ? access : undefined;
}

/**
 * Builds the admin API (routes, auth, problem+json errors, OpenAPI) without
 * listening: the composition root calls `app.listen`.
 */
export async function buildAdminApp(options: AdminAppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const requestTimeout = options.timeouts?.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(options.timeouts?.headersTimeoutMs ?? 10_000, requestTimeout);
  const app = fastify({
    // An anonymous client sending a body byte by byte must not hold a socket for minutes; node checks
    // incomplete requests every connectionsCheckingInterval (30 s by default, too coarse for these bounds).
    requestTimeout,
    connectionTimeout: options.timeouts?.connectionTimeoutMs ?? 60_000,
    http: {
      headersTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
    },
    ...loggerOptions(options.logger),
    ...jsonApiOptions(bodyLimit),
  });
  // JSON only. An empty body counts as none, so `POST …/rollback` with a JSON content type and no body is fine.
  useJsonProblems(app, bodyLimit, "admin");
  // The dashboard lives in the not-found handler, not in routes: it is no API operation (nothing to
  // authenticate or document), and every registered API route matches before it.
  const dashboard = options.staticDir === undefined ? undefined : new DashboardFiles(options.staticDir);
  app.setNotFoundHandler(async (request, reply) => {
    if (dashboard !== undefined && (request.method === "GET" || request.method === "HEAD")) {
      const answer = await dashboard.answer(request.url);
      if (answer !== null) return reply.code(answer.status).headers(answer.headers).send(answer.body);
    }
    return sendProblem(reply, problemFor("NOT_FOUND", "No such route.", requestInstance(request.url)));
  });
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-request-id", request.id);
    applyAdminSecurityHeaders(reply);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    return payload;
  });

  const routes: RegisteredRoute[] = [];
  registeredRoutes.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, access: accessOf(route.config) });
  });

  const document = buildOpenApiDocument(adminRoutes, API_VERSION);
  const selfRotationOff = new Set(options.selfRotationDisabled ?? []);
  const ctx: AdminContext = {
    deps: options.deps,
    propagation: options.propagation,
    verify: options.verify,
    ready: options.ready,
    metrics: options.metrics,
    nodeId: options.nodeId ?? hostname(),
    propagationWaitMs: Math.min(
      options.propagationWaitMs ?? MAX_PROPAGATION_WAIT_MS,
      MAX_PROPAGATION_WAIT_MS,
    ),
    openapi: () => document,
    leaks: options.leaks,
    webhooks: options.webhooks,
    liveNodes: options.liveNodes,
    limits: options.limits,
    portalUrl: options.portalUrl,
    maxAllowedIps: options.maxAllowedIps,
    selfRotationAllowed: (plan) => plan === null || !selfRotationOff.has(plan),
  };
  // Last use of admin tokens, batched off the request path like key usage.
  const tokenUsage = new AdminTokenUsage({ store: options.deps.store });
  const authenticator = new AdminAuthenticator({
    store: options.deps.store,
    hasher: options.deps.hasher,
    clock: options.deps.clock,
    ttlMs: options.tokenCacheTtlMs,
    onUse: (token, at) => tokenUsage.touch(token.id, at),
  });
  // A revoked admin token's hash arrives on the bus (services/admin-tokens.ts): every node drops it at once.
  const unsubscribeTokens = options.deps.bus.subscribe((change) => authenticator.applyChange(change));
  app.addHook("onClose", async () => {
    unsubscribeTokens();
    await tokenUsage.close();
  });
  const sso: AdminSso | undefined =
    options.sso === undefined
      ? undefined
      : {
          signIn: new OidcSignIn(options.sso),
          pendingCookie: new PendingSignInCookie(
            options.sso.clientSecret,
            options.sso.redirectUrl.startsWith("https://"),
          ),
          secure: options.sso.redirectUrl.startsWith("https://"),
          sessionTtlMs: options.sso.sessionTtlMs,
        };
  registerSsoRoutes(app, options.deps, sso);
  const secureCookie = sso?.secure ?? false;
  const authDeps = {
    authenticator,
    verify: options.verify,
    // Sessions are read from the store on every request (no cache): a logout holds on every node at once.
    operatorSessions:
      sso === undefined
        ? undefined
        : {
            token: (headers: FastifyRequest["headers"]) => operatorSessionToken(headers, secureCookie),
            find: (token: string) => findLiveOperatorSession(options.deps, token),
            actor: operatorActor,
          },
  };
  // Authentication runs on request, before the body is read: an unauthenticated caller never gets it parsed.
  const principals = new WeakMap<FastifyRequest, Principal>();
  // Token guessing is throttled per client before any lookup (security review 10e).
  const throttle = new AdminAuthThrottle({ failuresPerMinute: options.authFailuresPerMinute });
  const trusted = trustedProxies(options.trustedProxies ?? []);
  const clock = options.deps.clock;

  for (const route of adminRoutes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { access: route.access },
      ...(route.rawBody === true ? { preParsing: captureRawBody } : {}),
      ...(route.bodyLimitBytes === undefined ? {} : { bodyLimit: Math.max(route.bodyLimitBytes, bodyLimit) }),
      onRequest: async (request, reply) => {
        const usesToken = isRoleAccess(route.access);
        const address = usesToken
          ? clientAddress(request.socket.remoteAddress, request.headers, trusted)
          : undefined;
        const client = address === undefined ? undefined : clientSubject(address);
        const wait = throttle.retryAfter(client, clock.now());
        if (wait > 0) {
          const problem = problemFor(
            "RATE_LIMITED",
            "Too many refused admin tokens from this client; retry after the indicated time.",
            requestInstance(request.url),
          );
          return reply.code(429).headers(problemHeaders(problem, wait)).send(JSON.stringify(problem));
        }
        try {
          principals.set(
            request,
            await authenticateRequest(route.access, request.headers, authDeps, request.ip, request.method),
          );
        } catch (error) {
          if (error instanceof KeygateError && error.code === "UNAUTHENTICATED")
            throttle.fail(client, clock.now());
          throw error;
        }
        return undefined;
      },
      handler: async (request, reply) => {
        const principal = principals.get(request);
        if (principal === undefined) throw new Error(`no principal for ${route.method} ${route.url}`);
        const result = await route.handle({
          params: request.params,
          query: request.query,
          body: request.body,
          actor: principal.actor,
          consumer: principal.consumer,
          role: principal.role,
          csrfToken: principal.csrfToken,
          headers: request.headers,
          ctx,
          ...(route.rawBody === true ? { rawBody: rawBodyOf(request) } : {}),
        });
        reply.code(result.status).type(result.contentType ?? JSON_CONTENT_TYPE);
        return reply.send(typeof result.body === "string" ? result.body : JSON.stringify(result.body));
      },
    });
  }
  await app.ready();
  return app;
}
