import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock, ErrorCode } from "@keygate/core";
import { redactSecrets } from "../admin/redact-secrets.ts";
import { normalizePeer } from "../http/client-address.ts";
import { type Problem, problemFor } from "../http/problem.ts";
import type { VerifyCode, VerifyOutcome } from "../verify/verify-outcome.ts";
import { type ExtractedKey, extractKey } from "./extract-key.ts";
import type { GatewayLimiter, LimitDecision } from "./gateway-limiter.ts";
import type { GatewayMetrics } from "./gateway-metrics.ts";
import { CONFLICTING_KEYS_DETAIL, gatewayDetail, scopeDeniedDetail } from "./gateway-problems.ts";
import type { GatewayLogger, GatewayVerifier, UsageSink } from "./gateway-server.ts";
import type { RouteRule, RouteTable } from "./route-table.ts";

/**
 * Tracks failed authentications per client (the `AuthFailureGuard`). On the
 * hot path only `throttling` is read; the rest runs on throttled or failed
 * requests.
 */
export interface ClientFailureGuard {
  /** True while some client is throttled; only then does the evaluator ask `retryAfter`. */
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

/**
 * What a port does with a verdict: the gateway forwards an allowed request
 * upstream, forward auth answers 200. Both refuse the same way (the
 * evaluator's problem), which they may dress (forward auth can echo it in a
 * header for nginx).
 */
export interface VerdictPort {
  /**
   * The key is valid and the limits allow the request. The port MUST call
   * `evaluator.accept` (or `evaluator.refuseAccepted`) exactly once, so the
   * request is counted once. `limitHeaders` are the limiter's
   * (`RateLimit-Policy`, `RateLimit`), to go on the response either way.
   */
  allow(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    path: string,
    key: ExtractedKey,
    outcome: VerifyOutcome,
    now: number,
    limitHeaders: Readonly<Record<string, string>> | undefined,
  ): void;
  /** The request is refused with `problem` (already counted). */
  deny(
    req: IncomingMessage,
    res: ServerResponse,
    problem: Problem,
    headers: Record<string, string> | undefined,
    retryAfterSeconds: number | undefined,
  ): void;
}

/** What the evaluation needs; the same instances serve every port of a node. */
export interface RequestEvaluatorDeps {
  readonly verifier: GatewayVerifier;
  readonly routes: Pick<RouteTable, "match">;
  readonly clock: Clock;
  readonly logger: GatewayLogger;
  readonly usage: UsageSink | undefined;
  readonly limiter: GatewayLimiter | undefined;
  readonly metrics: GatewayMetrics;
  /** Authentication failures per client: throttling and failure-spike alerts. None by default. */
  readonly failureGuard?: ClientFailureGuard | undefined;
}

const THROTTLED_DETAIL = "Too many failed authentications from this client; retry after the indicated time.";

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

/** A loggable summary of anything thrown (never the request). */
export function errorSummary(error: unknown): { code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? { code, message: error.message } : { message: error.message };
  }
  return { message: String(error) };
}

/**
 * The one evaluation of "may this request pass?", shared by the gateway and
 * forward auth: failure throttle → key → route rule (scopes, cost) →
 * verification (with the client address, for per-key IP allowlists) →
 * limits and quotas → the port's verdict. Usage, failure alerts and metrics
 * are recorded here, once per request. A synchronous verification (a cache
 * hit) and a synchronous limit decision are used without a promise.
 */
export class RequestEvaluator {
  readonly #deps: RequestEvaluatorDeps;
  readonly #port: VerdictPort;

  constructor(deps: RequestEvaluatorDeps, port: VerdictPort) {
    this.#deps = deps;
    this.#port = port;
  }

  /**
   * Evaluates one request. `target` is the canonical origin-form target the
   * routes match, `path` the same without its query. `clientIp` is the
   * client's address as the port resolved it: a raw socket address is fine
   * (the allowlist matcher reads IPv4-mapped IPv6).
   */
  evaluate(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    target: string,
    path: string,
    clientIp: string | undefined,
  ): void {
    const guard = this.#deps.failureGuard;
    if (guard?.throttling === true && this.#throttled(guard, req, res, path, clientIp)) return;
    const key = extractKey(req.headers);
    if (key.conflict) {
      const now = this.#deps.clock.now();
      this.#deps.usage?.record(undefined, now, "KEY_MALFORMED");
      guard?.fail(normalizePeer(clientIp), undefined, "KEY_MALFORMED", now);
      this.refuse(req, res, "KEY_MALFORMED", path, CONFLICTING_KEYS_DETAIL);
      return;
    }
    const rule = this.#deps.routes.match(method, target);
    let result: VerifyOutcome | Promise<VerifyOutcome>;
    try {
      result = this.#deps.verifier.verify(key.secret, rule.scopes, clientIp);
    } catch (error) {
      this.internal(req, res, path, error);
      return;
    }
    if (result instanceof Promise) {
      result
        .then((outcome) => this.#verified(req, res, target, path, clientIp, key, rule, outcome))
        .catch((error: unknown) => this.internal(req, res, path, error));
    } else {
      this.#verified(req, res, target, path, clientIp, key, rule, result);
    }
  }

  /** Counts an allowed request as VALID (usage and metrics). */
  accept(outcome: VerifyOutcome, now: number): void {
    this.#deps.usage?.record(outcome.keyId, now, "VALID");
    this.#deps.metrics.count("VALID");
  }

  /** Refuses an allowed request for a port's own reason (e.g. too many in flight), counted as `code`. */
  refuseAccepted(
    req: IncomingMessage,
    res: ServerResponse,
    outcome: VerifyOutcome,
    now: number,
    code: "RATE_LIMITED",
    detail: string,
    path: string,
    headers: Readonly<Record<string, string>> | undefined,
    retryAfterSeconds: number,
  ): void {
    this.#deps.usage?.record(outcome.keyId, now, code);
    this.#deps.metrics.count(code);
    this.#port.deny(
      req,
      res,
      problemFor(code, detail, path),
      headers === undefined ? undefined : { ...headers },
      retryAfterSeconds,
    );
  }

  /** Refuses with `code` (counted in metrics; usage is the caller's). */
  refuse(
    req: IncomingMessage,
    res: ServerResponse,
    code: ErrorCode,
    path: string,
    detail: string,
    extraHeaders?: Readonly<Record<string, string>>,
  ): void {
    this.#deps.metrics.count(code);
    this.#port.deny(
      req,
      res,
      problemFor(code, detail, path),
      extraHeaders ? { ...extraHeaders } : undefined,
      undefined,
    );
  }

  /** Refuses with a ready problem (e.g. a path with no canonical form), counted in metrics. */
  refuseWith(req: IncomingMessage, res: ServerResponse, problem: Problem): void {
    this.#deps.metrics.count(problem.code);
    this.#port.deny(req, res, problem, undefined, undefined);
  }

  /** An unexpected failure: logged in full, answered 500 with a generic detail. */
  internal(req: IncomingMessage, res: ServerResponse, path: string, error: unknown): void {
    this.#deps.logger.error(
      { err: errorSummary(error), path: redactSecrets(path) },
      "gateway request failed",
    );
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    this.refuse(req, res, "INTERNAL", path, gatewayDetail("INTERNAL"));
  }

  #verified(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    path: string,
    clientIp: string | undefined,
    key: ExtractedKey,
    rule: RouteRule,
    outcome: VerifyOutcome,
  ): void {
    const now = this.#deps.clock.now();
    if (!outcome.valid) {
      this.#deps.usage?.record(outcome.keyId, now, outcome.code);
      if (isAuthFailure(outcome.code))
        this.#deps.failureGuard?.fail(normalizePeer(clientIp), key.secret, outcome.code, now);
      if (outcome.code === "VALID") return; // unreachable: narrows the code to a failure
      const detail =
        outcome.code === "SCOPE_DENIED" ? scopeDeniedDetail(rule.scopes) : gatewayDetail(outcome.code);
      this.refuse(req, res, outcome.code, path, detail);
      return;
    }
    const limiter = this.#deps.limiter;
    if (limiter === undefined) {
      this.#decided(req, res, target, path, key, outcome, now, ALLOW);
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
          (d) => this.#decided(req, res, target, path, key, outcome, now, d),
          (error: unknown) =>
            this.#decided(req, res, target, path, key, outcome, now, this.#limiterFailed(error, path)),
        )
        .catch((error: unknown) => this.internal(req, res, path, error));
    } else {
      this.#decided(req, res, target, path, key, outcome, now, decision);
    }
  }

  #decided(
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
      this.#port.deny(req, res, problem, { ...decision.headers }, decision.retryAfterSeconds);
      return;
    }
    this.#port.allow(req, res, target, path, key, outcome, now, decision.headers);
  }

  /** Answers 429 before any lookup when the client is throttled for its failed authentications. */
  #throttled(
    guard: ClientFailureGuard,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    clientIp: string | undefined,
  ): boolean {
    const now = this.#deps.clock.now();
    const retryAfter = guard.retryAfter(normalizePeer(clientIp), now);
    if (retryAfter <= 0) return false;
    this.#deps.usage?.record(undefined, now, "RATE_LIMITED");
    this.#deps.metrics.count("RATE_LIMITED");
    this.#port.deny(req, res, problemFor("RATE_LIMITED", THROTTLED_DETAIL, path), undefined, retryAfter);
    return true;
  }

  #limiterFailed(error: unknown, path: string): LimitDecision {
    this.#deps.logger.error(
      { err: errorSummary(error), path: redactSecrets(path) },
      "limiter failed; request let through",
    );
    return ALLOW;
  }
}
