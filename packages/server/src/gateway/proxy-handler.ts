import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { pipeline, type Readable } from "node:stream";
import type { Clock, ErrorCode } from "@keygate/core";
import type { Dispatcher, Pool } from "undici";
import { redactSecrets } from "../admin/redact-secrets.ts";
import { clientAddress, normalizePeer, type TrustedProxies } from "../http/client-address.ts";
import { problemFor, sendProblem } from "../http/problem.ts";
import type { VerifyCode, VerifyOutcome } from "../verify/verify-outcome.ts";
import { BodyLimit, BodyTooLargeError } from "./body-limit.ts";
import { deprecationHeaders } from "./deprecation-headers.ts";
import { type ExtractedKey, extractKey } from "./extract-key.ts";
import { downstreamResponseHeaders, type Peer, upstreamRequestHeaders } from "./forward-headers.ts";
import type { GatewayCors } from "./gateway-cors.ts";
import type { GatewayLimiter, LimitDecision } from "./gateway-limiter.ts";
import type { GatewayMetrics } from "./gateway-metrics.ts";
import { CONFLICTING_KEYS_DETAIL, gatewayDetail, scopeDeniedDetail } from "./gateway-problems.ts";
import type { GatewayLogger, GatewayVerifier, UsageSink } from "./gateway-server.ts";
import type { RouteRule, RouteTable } from "./route-table.ts";
import { type ExchangeOwner, UpstreamExchange } from "./upstream-exchange.ts";

export interface ProxyHandlerDeps {
  readonly verifier: GatewayVerifier;
  readonly routes: Pick<RouteTable, "match">;
  readonly clock: Clock;
  readonly logger: GatewayLogger;
  readonly usage: UsageSink | undefined;
  readonly limiter: GatewayLimiter | undefined;
  readonly pool: Pool;
  /** Upstream path prefix without a trailing slash ("" for none). */
  readonly basePath: string;
  readonly bodyLimitBytes: number;
  readonly deprecationLink: string;
  readonly metrics: GatewayMetrics;
  /** Authentication failures per client: throttling and failure-spike alerts. None by default. */
  readonly failureGuard?: ClientFailureGuard | undefined;
  /** Peers whose `X-Forwarded-For` names the client (`gateway.trustedProxies`). */
  readonly trustedProxies: TrustedProxies;
  /** CORS on upstream responses. */
  readonly cors: GatewayCors;
  /** Most requests of one consumer in flight upstream; past it 429 RATE_LIMITED. */
  readonly maxInFlightPerConsumer: number;
}

/**
 * Tracks failed authentications per client (the `AuthFailureGuard`). On the
 * hot path only `throttling` is read; the rest runs on throttled or failed
 * requests.
 */
export interface ClientFailureGuard {
  /** True while some client is throttled; only then does the gateway ask `retryAfter`. */
  readonly throttling: boolean;
  /** Seconds `clientIp` must wait before it is heard again; 0 to let the request through. */
  retryAfter(clientIp: string | undefined, now: number): number;
  /**
   * Records a request refused with a 401 `code`. `secret` is what the client
   * presented (undefined if nothing): the guard MUST NOT keep more of it than
   * the display hint of a well-formed key.
   */
  fail(clientIp: string | undefined, secret: string | undefined, code: VerifyCode, now: number): void;
}

const THROTTLED_DETAIL = "Too many failed authentications from this client; retry after the indicated time.";
const IN_FLIGHT_DETAIL =
  "Too many requests of this consumer are in progress; retry after the indicated time.";

/** The verification outcomes answered 401: what the failure guard counts. */
function isAuthFailure(code: VerifyCode): boolean {
  return (
    code === "KEY_MISSING" ||
    code === "KEY_MALFORMED" ||
    code === "KEY_NOT_FOUND" ||
    code === "KEY_EXPIRED" ||
    code === "KEY_REVOKED"
  );
}

const ALLOW: LimitDecision = Object.freeze({ allowed: true });
const CLOSE_CONNECTION = Object.freeze({ connection: "close" });

/** What a forwarded request's answer needs: the path for problems and logs, and the headers to add. */
interface Forwarded {
  readonly path: string;
  /** The verification of the request's key. */
  readonly outcome: VerifyOutcome | undefined;
  /** Headers the limiter answers with (`RateLimit-Policy`, `RateLimit`). */
  readonly extraHeaders: Readonly<Record<string, string>> | undefined;
}

function errorSummary(error: unknown): { code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? { code, message: error.message } : { message: error.message };
  }
  return { message: String(error) };
}

/**
 * The client left. Asked of the request's socket: a response queued behind
 * an earlier pipelined one has no socket yet, and is not gone for that.
 */
function clientGone(res: ServerResponse): boolean {
  return res.destroyed || res.req.socket.destroyed;
}

/** True for `Expect: 100-continue` (the only expectation node lets through, via `checkContinue`). */
function expectsContinue(req: IncomingMessage): boolean {
  const expect = req.headers.expect;
  return expect !== undefined && expect.toLowerCase() === "100-continue";
}

function isBodyTooLarge(error: unknown): boolean {
  return (
    error instanceof BodyTooLargeError || (error instanceof Error && error.cause instanceof BodyTooLargeError)
  );
}

/** Adds `extra` to `headers`; a second `Link` is appended, anything else replaced. */
function mergeHeaders(headers: OutgoingHttpHeaders, extra: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(extra)) {
    const value = extra[name];
    if (value === undefined) continue;
    const existing = headers[name];
    if (name === "link" && existing !== undefined) {
      headers.link = [...(Array.isArray(existing) ? existing : [String(existing)]), value];
    } else {
      headers[name] = value;
    }
  }
}

/**
 * One request through the gateway: key → route rule → verification →
 * limiter → upstream, each step ending the exchange with a problem+json
 * response when it refuses. The verification's synchronous answer (a cache
 * hit) is used without a promise.
 */
export class ProxyHandler {
  readonly #deps: ProxyHandlerDeps;
  readonly #exchangeOwner: ExchangeOwner<Forwarded>;
  /** Requests forwarded and not yet finished, per consumer (entries removed at zero). */
  readonly #inFlight = new Map<string, number>();

  constructor(deps: ProxyHandlerDeps) {
    this.#deps = deps;
    this.#exchangeOwner = {
      responseHeaders: (res, headers, forwarded) => this.#responseHeaders(res, headers, forwarded),
      upstreamFailed: (res, error, { path, outcome }) => this.#upstreamFailed(res, path, outcome, error),
      bodyFailed: (error, { path }) =>
        this.#deps.logger.warn(
          { err: errorSummary(error), path: redactSecrets(path) },
          "upstream response stream failed",
        ),
      internal: (res, error, { path }) => this.#internal(res, path, error),
    };
  }

  /** `target` is the origin-form request target; `path` the same without its query. */
  handle(req: IncomingMessage, res: ServerResponse, target: string, path: string): void {
    const guard = this.#deps.failureGuard;
    if (guard?.throttling === true && this.#throttled(guard, req, res, path)) return;
    const key = extractKey(req.headers);
    if (key.conflict) {
      const now = this.#deps.clock.now();
      this.#deps.usage?.record(undefined, now, "KEY_MALFORMED");
      guard?.fail(this.#client(req), undefined, "KEY_MALFORMED", now);
      this.#refuse(res, "KEY_MALFORMED", path, CONFLICTING_KEYS_DETAIL);
      return;
    }
    const rule = this.#deps.routes.match(req.method ?? "GET", target);
    let result: VerifyOutcome | Promise<VerifyOutcome>;
    try {
      result = this.#deps.verifier.verify(key.secret, rule.scopes);
    } catch (error) {
      this.#internal(res, path, error);
      return;
    }
    if (result instanceof Promise) {
      result
        .then((outcome) => this.#verified(req, res, target, path, key, rule, outcome))
        .catch((error: unknown) => this.#internal(res, path, error));
    } else {
      this.#verified(req, res, target, path, key, rule, result);
    }
  }

  #verified(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    path: string,
    key: ExtractedKey,
    rule: RouteRule,
    outcome: VerifyOutcome,
  ): void {
    const now = this.#deps.clock.now();
    if (!outcome.valid) {
      this.#deps.usage?.record(outcome.keyId, now, outcome.code);
      if (isAuthFailure(outcome.code))
        this.#deps.failureGuard?.fail(this.#client(req), key.secret, outcome.code, now);
      if (outcome.code === "VALID") return; // unreachable: narrows the code to a failure
      const detail =
        outcome.code === "SCOPE_DENIED" ? scopeDeniedDetail(rule.scopes) : gatewayDetail(outcome.code);
      this.#refuse(res, outcome.code, path, detail);
      return;
    }
    const limiter = this.#deps.limiter;
    if (limiter === undefined) {
      this.#admitted(req, res, target, path, key, outcome, now, ALLOW);
      return;
    }
    let decision: LimitDecision | Promise<LimitDecision>;
    try {
      decision = limiter.check(outcome, rule.cost, now);
    } catch (error) {
      decision = this.#limiterFailed(error, path);
    }
    if (decision instanceof Promise) {
      decision
        .then(
          (d) => this.#admitted(req, res, target, path, key, outcome, now, d),
          (error: unknown) =>
            this.#admitted(req, res, target, path, key, outcome, now, this.#limiterFailed(error, path)),
        )
        .catch((error: unknown) => this.#internal(res, path, error));
    } else {
      this.#admitted(req, res, target, path, key, outcome, now, decision);
    }
  }

  /** Answers 429 before any lookup when the client is throttled for its failed authentications. */
  #throttled(guard: ClientFailureGuard, req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const now = this.#deps.clock.now();
    const retryAfter = guard.retryAfter(this.#client(req), now);
    if (retryAfter <= 0) return false;
    this.#deps.usage?.record(undefined, now, "RATE_LIMITED");
    this.#deps.metrics.count("RATE_LIMITED");
    sendProblem(res, problemFor("RATE_LIMITED", THROTTLED_DETAIL, path), undefined, retryAfter);
    return true;
  }

  /** The socket peer, and whether it is a trusted proxy. */
  #peer(req: IncomingMessage): Peer {
    const address = normalizePeer(req.socket.remoteAddress);
    const trusted = this.#deps.trustedProxies;
    return { address, trusted: !trusted.empty && trusted.trusts(address) };
  }

  /** The client's address: the peer, or what a trusted proxy says (only asked on refusals and throttling). */
  #client(req: IncomingMessage): string | undefined {
    return clientAddress(req.socket.remoteAddress, req.headers, this.#deps.trustedProxies);
  }

  #limiterFailed(error: unknown, path: string): LimitDecision {
    this.#deps.logger.error(
      { err: errorSummary(error), path: redactSecrets(path) },
      "limiter failed; request let through",
    );
    return ALLOW;
  }

  #admitted(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    path: string,
    key: ExtractedKey,
    outcome: VerifyOutcome,
    now: number,
    decision: LimitDecision,
  ): void {
    if (!decision.allowed) {
      this.#deps.usage?.record(outcome.keyId, now, decision.code);
      this.#deps.metrics.count(decision.code);
      const problem = problemFor(decision.code, decision.detail ?? gatewayDetail(decision.code), path);
      sendProblem(res, problem, { ...decision.headers }, decision.retryAfterSeconds);
      return;
    }
    const consumerId = outcome.consumerId ?? "";
    const inFlight = this.#inFlight.get(consumerId) ?? 0;
    if (inFlight >= this.#deps.maxInFlightPerConsumer) {
      this.#deps.usage?.record(outcome.keyId, now, "RATE_LIMITED");
      this.#deps.metrics.count("RATE_LIMITED");
      const problem = problemFor("RATE_LIMITED", IN_FLIGHT_DETAIL, path);
      sendProblem(res, problem, decision.headers === undefined ? undefined : { ...decision.headers }, 1);
      return;
    }
    this.#deps.usage?.record(outcome.keyId, now, "VALID");
    this.#deps.metrics.count("VALID");
    if (clientGone(res)) return; // left while the key was being looked up: no slot to take, nothing to forward
    this.#inFlight.set(consumerId, inFlight + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.#inFlight.get(consumerId) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(consumerId);
      else this.#inFlight.set(consumerId, left);
    };
    // "close" comes once, whether the response finished or the client left: the slot is freed either way.
    res.once("close", release);
    // A response queued behind a pipelined one gets no "close" if the client leaves first: watch the socket.
    if (res.socket === null) req.socket.once("close", release);
    this.#forward(req, res, target, path, key, outcome, decision.headers);
  }

  #forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    path: string,
    key: ExtractedKey,
    outcome: VerifyOutcome,
    extraHeaders: Readonly<Record<string, string>> | undefined,
  ): void {
    const deps = this.#deps;
    if (clientGone(res)) return; // left while the key was being looked up: nothing to forward
    let body: Readable | null = null;
    const contentLength = req.headers["content-length"];
    if (contentLength !== undefined) {
      const length = Number(contentLength);
      if (length > deps.bodyLimitBytes) {
        this.#refuse(res, "PAYLOAD_TOO_LARGE", path, gatewayDetail("PAYLOAD_TOO_LARGE"), CLOSE_CONNECTION);
        return;
      }
      if (length > 0) body = req;
    } else if (req.headers["transfer-encoding"] !== undefined) {
      body = pipeline(req, new BodyLimit(deps.bodyLimitBytes), () => {});
    }
    // Reached through `checkContinue` (gateway-server.ts): the key is good, so the client may send its body now.
    if (expectsContinue(req)) res.writeContinue();
    const headers = upstreamRequestHeaders(req.headers, {
      keyId: outcome.keyId ?? "",
      consumerId: outcome.consumerId ?? "",
      peer: this.#peer(req),
      stripApiKey: key.fromApiKey,
      stripAuthorization: key.fromAuthorization,
    });
    this.#dispatch(
      res,
      {
        method: (req.method ?? "GET") as Dispatcher.HttpMethod,
        path: deps.basePath + target,
        headers: headers as Record<string, string | string[]>,
        body,
      },
      { path, outcome, extraHeaders },
    );
  }

  /** Sends the request upstream; the exchange streams the answer back, or reports why there is none. */
  #dispatch(res: ServerResponse, options: Dispatcher.DispatchOptions, context: Forwarded): void {
    try {
      this.#deps.pool.dispatch(options, new UpstreamExchange(res, this.#exchangeOwner, context));
    } catch (error) {
      this.#internal(res, context.path, error);
    }
  }

  /** The downstream headers for an upstream response: its own minus hop-by-hop, plus the gateway's. */
  #responseHeaders(
    res: ServerResponse,
    upstream: IncomingHttpHeaders,
    { outcome, extraHeaders }: Forwarded,
  ): OutgoingHttpHeaders {
    const headers = downstreamResponseHeaders(upstream);
    if (outcome?.signalDeprecation === true) {
      mergeHeaders(headers, deprecationHeaders(outcome, this.#deps.deprecationLink));
    }
    if (extraHeaders !== undefined) mergeHeaders(headers, extraHeaders);
    this.#deps.cors.upstreamHeaders(res, headers);
    return headers;
  }

  #upstreamFailed(
    res: ServerResponse,
    path: string,
    outcome: VerifyOutcome | undefined,
    error: unknown,
  ): void {
    if (isBodyTooLarge(error)) {
      if (!res.headersSent) {
        this.#refuse(res, "PAYLOAD_TOO_LARGE", path, gatewayDetail("PAYLOAD_TOO_LARGE"), CLOSE_CONNECTION);
      }
      return;
    }
    if (clientGone(res)) return; // the client went away; nothing to answer, nothing wrong upstream
    this.#deps.metrics.upstreamError();
    this.#deps.logger.warn(
      { err: errorSummary(error), path: redactSecrets(path), keyId: outcome?.keyId },
      "upstream request failed",
    );
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    this.#refuse(res, "UPSTREAM_UNAVAILABLE", path, gatewayDetail("UPSTREAM_UNAVAILABLE"));
  }

  #refuse(
    res: ServerResponse,
    code: ErrorCode,
    path: string,
    detail: string,
    extraHeaders?: Readonly<Record<string, string>>,
  ): void {
    this.#deps.metrics.count(code);
    sendProblem(res, problemFor(code, detail, path), extraHeaders ? { ...extraHeaders } : undefined);
  }

  #internal(res: ServerResponse, path: string, error: unknown): void {
    this.#deps.logger.error(
      { err: errorSummary(error), path: redactSecrets(path) },
      "gateway request failed",
    );
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    this.#refuse(res, "INTERNAL", path, gatewayDetail("INTERNAL"));
  }
}
