import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { pipeline, type Readable } from "node:stream";
import type { Dispatcher, Pool } from "undici";
import { redactSecrets } from "../admin/redact-secrets.ts";
import { normalizePeer, type TrustedProxies } from "../http/client-address.ts";
import { type Problem, sendProblem } from "../http/problem.ts";
import type { VerifyOutcome } from "../verify/verify-outcome.ts";
import { BodyLimit, BodyTooLargeError } from "./body-limit.ts";
import { deprecationHeaders } from "./deprecation-headers.ts";
import type { ExtractedKey } from "./extract-key.ts";
import { downstreamResponseHeaders, type Peer, upstreamRequestHeaders } from "./forward-headers.ts";
import type { GatewayCors } from "./gateway-cors.ts";
import { gatewayDetail } from "./gateway-problems.ts";
import {
  errorSummary,
  RequestEvaluator,
  type RequestEvaluatorDeps,
  type VerdictPort,
} from "./request-evaluator.ts";
import { type ExchangeOwner, UpstreamExchange } from "./upstream-exchange.ts";

/** What forwarding needs beside the shared evaluation's dependencies. */
export interface ProxyHandlerDeps extends RequestEvaluatorDeps {
  readonly pool: Pool;
  /** Upstream path prefix without a trailing slash ("" for none). */
  readonly basePath: string;
  readonly bodyLimitBytes: number;
  readonly deprecationLink: string;
  /** Peers whose `X-Forwarded-For` names the client (`gateway.trustedProxies`). */
  readonly trustedProxies: TrustedProxies;
  /** CORS on upstream responses. */
  readonly cors: GatewayCors;
  /** Most requests of one consumer in flight upstream; past it 429 RATE_LIMITED. */
  readonly maxInFlightPerConsumer: number;
}

export type { ClientFailureGuard } from "./request-evaluator.ts";

const IN_FLIGHT_DETAIL =
  "Too many requests of this consumer are in progress; retry after the indicated time.";

const CLOSE_CONNECTION = Object.freeze({ connection: "close" });

/** What a forwarded request's answer needs: the path for problems and logs, and the headers to add. */
interface Forwarded {
  readonly path: string;
  /** The verification of the request's key. */
  readonly outcome: VerifyOutcome | undefined;
  /** Headers the limiter answers with (`RateLimit-Policy`, `RateLimit`). */
  readonly extraHeaders: Readonly<Record<string, string>> | undefined;
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
 * The gateway's verdict port: an allowed request is forwarded to the
 * upstream (streaming both ways), within the per-consumer in-flight bound;
 * a refusal is the evaluator's problem+json. The evaluation itself (key,
 * route, verification, limits, usage, metrics) is `RequestEvaluator`'s,
 * shared with forward auth.
 */
export class ProxyHandler implements VerdictPort {
  readonly #deps: ProxyHandlerDeps;
  readonly #evaluator: RequestEvaluator;
  readonly #exchangeOwner: ExchangeOwner<Forwarded>;
  /** Requests forwarded and not yet finished, per consumer (entries removed at zero). */
  readonly #inFlight = new Map<string, number>();

  constructor(deps: ProxyHandlerDeps) {
    this.#deps = deps;
    this.#evaluator = new RequestEvaluator(deps, this);
    this.#exchangeOwner = {
      responseHeaders: (res, headers, forwarded) => this.#responseHeaders(res, headers, forwarded),
      upstreamFailed: (res, error, { path, outcome }) => this.#upstreamFailed(res, path, outcome, error),
      bodyFailed: (error, { path }) =>
        this.#deps.logger.warn(
          { err: errorSummary(error), path: redactSecrets(path) },
          "upstream response stream failed",
        ),
      internal: (res, error, { path }) => this.#evaluator.internal(res.req, res, path, error),
    };
  }

  /**
   * `target` is the canonical origin-form request target; `path` the same
   * without its query; `clientIp` the client's address (the raw socket peer
   * when no proxy is trusted: the allowlist matcher reads IPv4-mapped IPv6).
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    path: string,
    clientIp: string | undefined,
  ): void {
    this.#evaluator.evaluate(req, res, req.method ?? "GET", target, path, clientIp);
  }

  deny(
    _req: IncomingMessage,
    res: ServerResponse,
    problem: Problem,
    headers: Record<string, string> | undefined,
    retryAfterSeconds: number | undefined,
  ): void {
    sendProblem(res, problem, headers, retryAfterSeconds);
  }

  allow(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    path: string,
    key: ExtractedKey,
    outcome: VerifyOutcome,
    now: number,
    limitHeaders: Readonly<Record<string, string>> | undefined,
  ): void {
    const consumerId = outcome.consumerId ?? "";
    const inFlight = this.#inFlight.get(consumerId) ?? 0;
    if (inFlight >= this.#deps.maxInFlightPerConsumer) {
      this.#evaluator.refuseAccepted(
        req,
        res,
        outcome,
        now,
        "RATE_LIMITED",
        IN_FLIGHT_DETAIL,
        path,
        limitHeaders,
        1,
      );
      return;
    }
    this.#evaluator.accept(outcome, now);
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
    this.#forward(req, res, target, path, key, outcome, limitHeaders);
  }

  /** The socket peer, and whether it is a trusted proxy. */
  #peer(req: IncomingMessage): Peer {
    const address = normalizePeer(req.socket.remoteAddress);
    const trusted = this.#deps.trustedProxies;
    return { address, trusted: !trusted.empty && trusted.trusts(address) };
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
        this.#tooLarge(res, path);
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
      this.#evaluator.internal(res.req, res, context.path, error);
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

  /** 413 and a closed connection: the rest of the body is not read. */
  #tooLarge(res: ServerResponse, path: string): void {
    this.#evaluator.refuse(
      res.req,
      res,
      "PAYLOAD_TOO_LARGE",
      path,
      gatewayDetail("PAYLOAD_TOO_LARGE"),
      CLOSE_CONNECTION,
    );
  }

  #upstreamFailed(
    res: ServerResponse,
    path: string,
    outcome: VerifyOutcome | undefined,
    error: unknown,
  ): void {
    if (isBodyTooLarge(error)) {
      if (!res.headersSent) this.#tooLarge(res, path);
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
    this.#evaluator.refuse(res.req, res, "UPSTREAM_UNAVAILABLE", path, gatewayDetail("UPSTREAM_UNAVAILABLE"));
  }
}
