import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { type Problem, sendProblem } from "../http/problem.ts";
import type { VerifyOutcome } from "../verify/verify-outcome.ts";
import { deprecationHeaders } from "./deprecation-headers.ts";
import type { ExtractedKey } from "./extract-key.ts";
import type { RequestEvaluator, VerdictPort } from "./request-evaluator.ts";

/**
 * Request header with which a proxy asks for the refusal's problem+json in a
 * response header too (`x-keygate-problem`): nginx's `auth_request` drops the
 * subrequest's body, so its config rebuilds the refusal from this header
 * (examples/forward-auth/nginx.conf). Other proxies pass the body through and
 * do not ask.
 */
export const PROBLEM_HEADER_REQUEST = "x-keygate-problem-header";
/** The response header carrying the problem+json (ASCII-only JSON) when asked. */
export const PROBLEM_HEADER = "x-keygate-problem";

/** JSON text with every non-ASCII character escaped: a valid header value with the same meaning. */
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 126) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c > 126 ? `\\u${c.toString(16).padStart(4, "0")}` : text[i];
  }
  return out;
}

/** `x-keygate-scopes` per scopes array: verified outcomes share their key's array, so each is joined once. */
const scopesText = new WeakMap<readonly string[], string>();

function joinedScopes(scopes: readonly string[] | undefined): string {
  if (scopes === undefined) return "";
  let text = scopesText.get(scopes);
  if (text === undefined) {
    text = scopes.join(",");
    scopesText.set(scopes, text);
  }
  return text;
}

/**
 * Forward auth's verdict port: an allowed request is answered `200` with an
 * empty body and the identity, limit and deprecation headers for the proxy
 * to copy; a refusal is the gateway's own problem+json answer (status,
 * body, `WWW-Authenticate`, `Retry-After`).
 */
export class AuthzAnswer implements VerdictPort {
  readonly #deprecationLink: string;
  #evaluator: RequestEvaluator | undefined;

  constructor(deprecationLink: string) {
    this.#deprecationLink = deprecationLink;
  }

  /** Binds the evaluator that calls this port (they refer to each other). */
  bind(evaluator: RequestEvaluator): void {
    this.#evaluator = evaluator;
  }

  allow(
    _req: IncomingMessage,
    res: ServerResponse,
    _target: string,
    _path: string,
    _key: ExtractedKey,
    outcome: VerifyOutcome,
    now: number,
    limitHeaders: Readonly<Record<string, string>> | undefined,
  ): void {
    this.#evaluator?.accept(outcome, now);
    const headers: OutgoingHttpHeaders = {
      "x-keygate-consumer-id": outcome.consumerId ?? "",
      "x-keygate-key-id": outcome.keyId ?? "",
      "x-keygate-scopes": joinedScopes(outcome.scopes),
      // An answer about one request: a proxy must never reuse it (a cached "yes" outlives a revocation).
      "cache-control": "no-store",
      "content-length": "0",
    };
    if (limitHeaders !== undefined) {
      for (const name of Object.keys(limitHeaders)) headers[name] = limitHeaders[name];
    }
    if (outcome.signalDeprecation === true) {
      const deprecation = deprecationHeaders(outcome, this.#deprecationLink);
      for (const name of Object.keys(deprecation)) headers[name] = deprecation[name];
    }
    res.writeHead(200, headers);
    res.end();
  }

  deny(
    req: IncomingMessage,
    res: ServerResponse,
    problem: Problem,
    headers: Record<string, string> | undefined,
    retryAfterSeconds: number | undefined,
  ): void {
    if (req.headers[PROBLEM_HEADER_REQUEST] === undefined) {
      sendProblem(res, problem, headers, retryAfterSeconds);
      return;
    }
    sendProblem(res, problem, { ...headers, [PROBLEM_HEADER]: asciiJson(problem) }, retryAfterSeconds);
  }
}
