import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Clock } from "@keygate/core";
import { clientAddress, normalizePeer, trustedProxies } from "../http/client-address.ts";
import { AuthzAnswer } from "./authz-answer.ts";
import type { GatewayLimiter } from "./gateway-limiter.ts";
import { GatewayMetrics } from "./gateway-metrics.ts";
import {
  answerOps,
  type GatewayLogger,
  type GatewayVerifier,
  isOpsPath,
  type UsageSink,
} from "./gateway-server.ts";
import { clientFacingServerOptions, closeGracefully, listenOn } from "./http-listener.ts";
import { type ClientFailureGuard, RequestEvaluator } from "./request-evaluator.ts";
import { resolveTarget } from "./request-target.ts";
import { DEFAULT_ROUTE, type RouteTable } from "./route-table.ts";

/**
 * Peers trusted by the forward-auth port when `gateway.trustedProxies` is
 * empty: loopback only, so a proxy on the same host works out of the box and
 * nothing else may name the method, path or client of the request it asks
 * about.
 */
export const AUTHZ_DEFAULT_TRUSTED = Object.freeze(["127.0.0.0/8", "::1/128"]);

export interface AuthzServerOptions {
  /** The node's verifier: the same key cache as the gateway's. */
  readonly verifier: GatewayVerifier;
  /** Route → scopes and cost, as the gateway's. Unlisted routes need no scope and cost 1. */
  readonly routes?: Pick<RouteTable, "match"> | undefined;
  readonly clock: Clock;
  readonly logger: GatewayLogger;
  readonly usage?: UsageSink | undefined;
  /** The node's limiter (shared counters with the gateway). */
  readonly limiter?: GatewayLimiter | undefined;
  /** The node's failure guard (throttling and failure-spike alerts). */
  readonly failureGuard?: ClientFailureGuard | undefined;
  /** Target of `Link: <…>; rel="deprecation"` on allowed answers for a deprecated key. */
  readonly deprecationLink?: string | undefined;
  /** `/readyz` answers 200 when this resolves true, else 503 STORE_UNAVAILABLE. */
  readonly ready?: (() => Promise<boolean>) | undefined;
  /**
   * Peers whose `X-Forwarded-Method`/`X-Original-Method`,
   * `X-Forwarded-Uri`/`X-Original-URI` and `X-Forwarded-For`/`X-Real-IP` are
   * believed (`gateway.trustedProxies`). Empty or absent: loopback only
   * (`AUTHZ_DEFAULT_TRUSTED`). Any other peer is evaluated on its own
   * method, path and address.
   */
  readonly trustedProxies?: readonly string[] | undefined;
  readonly requestTimeoutMs?: number | undefined;
  readonly headersTimeoutMs?: number | undefined;
  /** How long `close()` waits for questions in flight. Default 10 s. */
  readonly closeGraceMs?: number | undefined;
}

/** The forward-auth port (`KEYGATE_AUTHZ_PORT`). */
export interface AuthzServer {
  readonly server: Server;
  listen(port: number, host?: string): Promise<{ port: number }>;
  /** Its counters (`keygate_authz_requests_total`) in Prometheus text, for the admin or metrics port. */
  metricsText(): string;
  close(): Promise<void>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}

/**
 * Forward auth: a `node:http` server answering a proxy's "may this request
 * pass?" on the gateway's own evaluation (`RequestEvaluator`: key, route,
 * scopes, cost, verification with the per-key IP allowlist, limits, quotas,
 * usage, alerts, metrics), so a request counts once and is judged exactly as
 * the gateway would judge it. Allowed: `200` with the identity headers;
 * refused: the gateway's problem+json.
 */
export function createAuthzServer(options: AuthzServerOptions): AuthzServer {
  const cidrs =
    options.trustedProxies === undefined || options.trustedProxies.length === 0
      ? AUTHZ_DEFAULT_TRUSTED
      : options.trustedProxies;
  const trusted = trustedProxies(cidrs);
  const metrics = new GatewayMetrics("authz");
  const answer = new AuthzAnswer(options.deprecationLink ?? "https://keygate.dev/docs/rotation");
  const evaluator = new RequestEvaluator(
    {
      verifier: options.verifier,
      routes: options.routes ?? { match: () => DEFAULT_ROUTE },
      clock: options.clock,
      logger: options.logger,
      usage: options.usage,
      limiter: options.limiter,
      metrics,
      failureGuard: options.failureGuard,
    },
    answer,
  );
  answer.bind(evaluator);
  // Trust is a property of the connection's peer: decided once per connection (proxies keep them alive).
  const fromProxy = new WeakSet<Socket>();

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = req.headers;
    // A question has no body; one sent anyway is drained so the connection stays usable.
    if (headers["content-length"] !== undefined || headers["transfer-encoding"] !== undefined) req.resume();
    let method = req.method ?? "GET";
    let rawTarget = req.url ?? "/";
    let clientIp = req.socket.remoteAddress;
    let asked = false;
    if (fromProxy.has(req.socket)) {
      const forwardedUri = headerValue(headers["x-forwarded-uri"]) ?? headerValue(headers["x-original-uri"]);
      const forwardedMethod =
        headerValue(headers["x-forwarded-method"]) ?? headerValue(headers["x-original-method"]);
      if (forwardedUri !== undefined) {
        rawTarget = forwardedUri;
        asked = true;
      }
      if (forwardedMethod !== undefined) method = forwardedMethod;
      clientIp = clientAddress(clientIp, headers, trusted);
    }
    const resolved = resolveTarget(rawTarget);
    if (!resolved.ok) {
      evaluator.refuseWith(req, res, resolved.problem);
      return;
    }
    // The port's own health paths, unless a proxy is asking about a request for such a path.
    if (!asked && isOpsPath(resolved.path)) {
      answerOps(resolved.path, res, options.ready, options.logger);
      return;
    }
    evaluator.evaluate(req, res, method, resolved.target, resolved.path, clientIp);
  };
  const server = createServer(
    clientFacingServerOptions(options.requestTimeoutMs, options.headersTimeoutMs),
    onRequest,
  );
  server.on("connection", (socket: Socket) => {
    if (trusted.trusts(normalizePeer(socket.remoteAddress))) fromProxy.add(socket);
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    listen: (port, host) => listenOn(server, port, host),
    metricsText: () => metrics.text(),
    close() {
      closing ??= closeGracefully(server, options.closeGraceMs ?? 10_000);
      return closing;
    },
  };
}
