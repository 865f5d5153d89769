import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Clock } from "@keygate/core";
import { Pool } from "undici";
import { redactSecrets } from "../admin/redact-secrets.ts";
import { clientAddress, normalizePeer, type TrustedProxies, trustedProxies } from "../http/client-address.ts";
import { problemFor, sendProblem } from "../http/problem.ts";
import type { VerifierStats } from "../verify/verifier.ts";
import type { VerifyCode, VerifyOutcome } from "../verify/verify-outcome.ts";
import { type CorsConfig, GatewayCors, isPreflight } from "./gateway-cors.ts";
import type { GatewayLimiter } from "./gateway-limiter.ts";
import { GatewayMetrics } from "./gateway-metrics.ts";
import { clientFacingServerOptions, closeGracefully, listenOn } from "./http-listener.ts";
import { ProxyHandler } from "./proxy-handler.ts";
import type { ClientFailureGuard } from "./request-evaluator.ts";
import { resolveTarget } from "./request-target.ts";
import { DEFAULT_ROUTE, type RouteTable } from "./route-table.ts";

/** The slice of a pino logger the gateway writes to. Objects logged never hold a secret. */
export interface GatewayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Verification as the gateway needs it (the `Verifier`). */
export interface GatewayVerifier {
  verify(
    secret: string | undefined,
    requiredScopes: readonly string[],
    clientIp?: string,
  ): VerifyOutcome | Promise<VerifyOutcome>;
  /** When present, its counters are part of the gateway's `metricsText()`. */
  stats?(): VerifierStats;
}

/** Where each request's outcome is counted (the `UsageRecorder`). Must be cheap: called on the hot path. */
export interface UsageSink {
  record(keyId: string | undefined, now: number, code: VerifyCode): void;
}

export interface GatewayServerOptions {
  readonly verifier: GatewayVerifier;
  /** Base URL of the upstream API; a path in it prefixes every forwarded path. */
  readonly upstream: string | URL;
  /** Route → scopes and cost. Unlisted routes need no scope and cost 1. */
  readonly routes?: Pick<RouteTable, "match"> | undefined;
  readonly clock: Clock;
  readonly logger: GatewayLogger;
  readonly usage?: UsageSink | undefined;
  /** Largest request body forwarded; larger is 413 PAYLOAD_TOO_LARGE. Default 10 MiB. */
  readonly bodyLimitBytes?: number | undefined;
  /** Connect, response-headers and body-idle timeout towards the upstream. Default 30 s. */
  readonly upstreamTimeoutMs?: number | undefined;
  /** Most connections to the upstream. Default 256. */
  readonly upstreamConnections?: number | undefined;
  /** Target of `Link: <…>; rel="deprecation"` on responses made with a deprecated key. */
  readonly deprecationLink?: string | undefined;
  /** `/readyz` answers 200 when this resolves true, else 503 STORE_UNAVAILABLE. Default: always ready. */
  readonly ready?: (() => Promise<boolean>) | undefined;
  /** Rate limits and quotas: consulted after a valid verification. None by default. */
  readonly limiter?: GatewayLimiter | undefined;
  /**
   * Counts failed authentications per client IP: throttles a client past its
   * limit (429 before any lookup) and feeds failure-spike alerts. None by default.
   */
  readonly failureGuard?: ClientFailureGuard | undefined;
  /**
   * Serves `POST /v1/self/rotate` on the gateway port (a consumer rotating the
   * key it calls with). The answer is the admin API's, so both ports behave
   * alike. Without it the path is forwarded like any other.
   */
  readonly selfRotate?: SelfRotateHandler | undefined;
  /**
   * Peers (load balancers, proxies) whose `X-Forwarded-For` / `X-Real-IP`
   * name the client: IPv4/IPv6 addresses or CIDRs (`gateway.trustedProxies`).
   * Default: none, the socket peer is the client.
   */
  readonly trustedProxies?: readonly string[] | undefined;
  /**
   * CORS for browser consumers (`gateway.cors`). Preflights are answered by
   * the gateway either way and never reach the upstream; without this they
   * allow nothing. See `gateway-cors.ts`.
   */
  readonly cors?: CorsConfig | undefined;
  /**
   * Longest time a client may take to send a whole request (headers and
   * body); past it the connection is answered 408 or cut, which also
   * releases the upstream connection a slow body held. Default 60 s.
   */
  readonly requestTimeoutMs?: number | undefined;
  /** Longest time a client may take to send the request headers. Default 10 s (at most `requestTimeoutMs`). */
  readonly headersTimeoutMs?: number | undefined;
  /**
   * Most requests of one consumer forwarded upstream at once; past it the
   * gateway answers 429 RATE_LIMITED with `Retry-After: 1`, so one consumer
   * cannot hold the whole upstream pool. Default 256.
   */
  readonly maxInFlightPerConsumer?: number | undefined;
  /** How long `close()` waits for requests in flight before cutting connections. Default 10 s. */
  readonly closeGraceMs?: number | undefined;
}

/** The credentials of a self-rotation request, and its query string (`?wait=true`). */
export type SelfRotateHandler = (request: {
  readonly apiKey: string | undefined;
  readonly authorization: string | undefined;
  readonly search: string;
  /** The client's address as the gateway resolved it (allowlisted keys are checked against it). */
  readonly clientIp?: string | undefined;
}) => Promise<{ readonly status: number; readonly headers: Record<string, string>; readonly body: string }>;

export const SELF_ROTATE_PATH = "/v1/self/rotate";

export interface GatewayServer {
  readonly server: Server;
  listen(port: number, host?: string): Promise<{ port: number }>;
  /**
   * The gateway's counters (and the verification cache's) in Prometheus
   * text. Not served on the gateway port (security review, finding 7): the
   * composition root appends it to the admin port's, or the internal metrics
   * listener's, `/metrics`.
   */
  metricsText(): string;
  /** Stops accepting, lets requests in flight finish (up to the grace period), closes upstream connections. */
  close(): Promise<void>;
}

const HEALTHY_BODY = JSON.stringify({ status: "ok" });
const READY_BODY = JSON.stringify({ status: "ready" });

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

/** True for the ops paths a port answers itself (`/healthz`, `/readyz`); a scan, no set lookup per request. */
export function isOpsPath(path: string): boolean {
  return path === "/healthz" || path === "/readyz";
}

async function serveOps(
  path: string,
  res: ServerResponse,
  ready: (() => Promise<boolean>) | undefined,
): Promise<void> {
  if (path === "/healthz") {
    sendJson(res, 200, HEALTHY_BODY);
    return;
  }
  const isReady = ready === undefined ? true : await ready().catch(() => false);
  if (isReady) sendJson(res, 200, READY_BODY);
  else sendProblem(res, problemFor("STORE_UNAVAILABLE", "The key store does not answer.", path));
}

/**
 * Answers `/healthz` (process up) or `/readyz` (`ready()` resolves true,
 * else 503 STORE_UNAVAILABLE), on the gateway and forward-auth ports alike.
 */
export function answerOps(
  path: string,
  res: ServerResponse,
  ready: (() => Promise<boolean>) | undefined,
  logger: GatewayLogger,
): void {
  serveOps(path, res, ready).catch((error: unknown) => {
    logger.error(
      { err: error instanceof Error ? error.message : String(error), path: redactSecrets(path) },
      "ops endpoint failed",
    );
    if (!res.headersSent) sendProblem(res, problemFor("INTERNAL", "An unexpected error occurred.", path));
    else res.destroy();
  });
}

/**
 * The client's address for a request on a client-facing port. With no
 * trusted proxy it is the raw socket peer: no parsing on the hot path (the
 * allowlist matcher reads IPv4-mapped IPv6, and the failure guard normalises
 * on failures only).
 */
export function requestClientIp(req: IncomingMessage, trusted: TrustedProxies): string | undefined {
  return trusted.empty
    ? req.socket.remoteAddress
    : clientAddress(req.socket.remoteAddress, req.headers, trusted);
}

async function serveSelfRotate(
  selfRotate: SelfRotateHandler,
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  clientIp: string | undefined,
): Promise<void> {
  req.resume(); // the endpoint takes no body
  const apiKey = req.headers["x-api-key"];
  const answer = await selfRotate({
    apiKey: typeof apiKey === "string" ? apiKey : undefined,
    authorization: req.headers.authorization,
    search: target.includes("?") ? target.slice(target.indexOf("?")) : "",
    clientIp: normalizePeer(clientIp),
  });
  res.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/**
 * The gateway: a `node:http` server that verifies every request's key and
 * forwards it to the upstream through an `undici.Pool`, streaming bodies both
 * ways. Also serves `/healthz` and `/readyz` on its port; its metrics go to
 * the admin port (`metricsText()`).
 * CORS preflights are answered here, never forwarded (see `gateway-cors.ts`).
 */
export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const upstream = new URL(options.upstream);
  const timeout = options.upstreamTimeoutMs ?? 30_000;
  const pool = new Pool(upstream.origin, {
    connections: options.upstreamConnections ?? 256,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
    keepAliveTimeout: 4_000,
  });
  const metrics = new GatewayMetrics("gateway");
  const cors = new GatewayCors(options.cors);
  const trusted = trustedProxies(options.trustedProxies ?? []);
  const handler = new ProxyHandler({
    verifier: options.verifier,
    routes: options.routes ?? { match: () => DEFAULT_ROUTE },
    clock: options.clock,
    logger: options.logger,
    usage: options.usage,
    limiter: options.limiter,
    pool,
    basePath: upstream.pathname.replace(/\/+$/, ""),
    bodyLimitBytes: options.bodyLimitBytes ?? 10 * 1024 * 1024,
    deprecationLink: options.deprecationLink ?? "https://keygate.dev/docs/rotation",
    metrics,
    failureGuard: options.failureGuard,
    cors,
    maxInFlightPerConsumer: options.maxInFlightPerConsumer ?? 256,
    trustedProxies: trusted,
  });

  const serverOptions = clientFacingServerOptions(options.requestTimeoutMs, options.headersTimeoutMs);
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const resolved = resolveTarget(req.url ?? "/");
    if (!resolved.ok) {
      sendProblem(res, resolved.problem);
      return;
    }
    const { target, path } = resolved;
    if (isPreflight(req)) {
      cors.answerPreflight(req, res, path === SELF_ROTATE_PATH && options.selfRotate !== undefined);
      return;
    }
    cors.applyOwn(req, res);
    if (isOpsPath(path)) {
      answerOps(path, res, options.ready, options.logger);
      return;
    }
    const clientIp = requestClientIp(req, trusted);
    if (path === SELF_ROTATE_PATH && req.method === "POST" && options.selfRotate !== undefined) {
      serveSelfRotate(options.selfRotate, req, res, target, clientIp).catch((error: unknown) => {
        options.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "self-rotation failed",
        );
        if (!res.headersSent) sendProblem(res, problemFor("INTERNAL", "An unexpected error occurred.", path));
        else res.destroy();
      });
      return;
    }
    handler.handle(req, res, target, path, clientIp);
  };
  const server = createServer(serverOptions, onRequest);
  // `Expect: 100-continue`: the request is verified like any other before its body is asked for; the
  // proxy sends 100 Continue only when it forwards (a refusal is the final answer, the body never sent).
  server.on("checkContinue", onRequest);

  let closing: Promise<void> | undefined;
  return {
    server,
    listen: (port, host) => listenOn(server, port, host),
    metricsText: () => metrics.text(options.verifier.stats?.()),
    close() {
      closing ??= (async () => {
        await closeGracefully(server, options.closeGraceMs ?? 10_000);
        await pool.close();
      })();
      return closing;
    },
  };
}
