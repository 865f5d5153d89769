import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/**
 * CORS at the gateway. Browser consumers (e.g. `@keygate/client` in a web
 * page) call the gateway from another origin.
 *
 * - A preflight (`OPTIONS` with `Access-Control-Request-Method`) never carries
 *   the API key (the Fetch standard strips credentials and custom headers
 *   from it), so it cannot be authenticated, limited or counted. It is
 *   therefore answered here and never forwarded: an unauthenticated request
 *   must not reach the upstream. With `gateway.cors` configured the answer
 *   follows it; without, it is `204` with no CORS headers, which a browser
 *   reads as "no cross-origin access" (docs/security.md, finding 6).
 * - With `gateway.cors`, the gateway's policy is the only one: upstream
 *   `Access-Control-*` response headers are replaced by it. Without it,
 *   upstream responses keep the upstream's own CORS headers (for requests a
 *   browser sends without preflight).
 * - Headers the gateway adds to upstream responses (`Deprecation`, `Sunset`,
 *   `Link`, `RateLimit*`) are invisible to a page unless exposed: they are
 *   appended to `Access-Control-Expose-Headers` whenever an origin is allowed.
 * - The gateway's own answers (refusals such as `401 KEY_EXPIRED`, `429`, and
 *   `POST /v1/self/rotate`) are readable by an allowed origin: any origin
 *   (`*`) without `gateway.cors` — safe, since keygate authenticates by a
 *   header the page must hold itself, never by cookies, and `*` excludes
 *   credentialed requests — and the configured origins with it.
 */

/** `gateway.cors` from the config. */
export interface CorsConfig {
  /** Exact origins (`https://app.example`), or `*` for any (not with `allowCredentials`). */
  readonly allowedOrigins: readonly string[];
  /** Methods a preflight may ask for. */
  readonly allowedMethods: readonly string[];
  /** Request headers a preflight may ask for (lower case), or `*` for any (not with `allowCredentials`). */
  readonly allowedHeaders: readonly string[];
  /** Upstream response headers a page may read, besides the gateway's own. */
  readonly exposedHeaders: readonly string[];
  /** `Access-Control-Max-Age` of a preflight answer. */
  readonly maxAgeSeconds: number;
  /** Sends `Access-Control-Allow-Credentials: true` (cookies, client certificates). Default false. */
  readonly allowCredentials: boolean;
}

/** Response headers the gateway adds to upstream responses. */
const GATEWAY_RESPONSE_HEADERS = ["deprecation", "sunset", "link", "ratelimit", "ratelimit-policy"];
/** What a page needs to read on the gateway's own answers. */
const OWN_EXPOSED = `${[...GATEWAY_RESPONSE_HEADERS, "www-authenticate", "retry-after"].join(", ")}`;

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
}

/** The answer to a preflight for `POST /v1/self/rotate` without `gateway.cors`. */
export const SELF_ROTATE_PREFLIGHT: Readonly<Record<string, string>> = Object.freeze({
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST",
  "access-control-allow-headers": "x-api-key, authorization",
  "access-control-max-age": "600",
});

const NO_CONTENT = 204;

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "");
}

/** Appends `token` to a `Vary` value unless it is listed already. */
function varyWith(existing: OutgoingHttpHeaders[string], token: string): string {
  const text = Array.isArray(existing) ? existing.join(", ") : existing === undefined ? "" : String(existing);
  return splitList(text).includes(token.toLowerCase()) ? text : text === "" ? token : `${text}, ${token}`;
}

/** The gateway's CORS behaviour, compiled once from `gateway.cors` (or its absence). */
export class GatewayCors {
  readonly #config: CorsConfig | undefined;
  readonly #anyOrigin: boolean;
  readonly #origins: ReadonlySet<string>;
  readonly #methods: ReadonlySet<string>;
  readonly #anyHeader: boolean;
  readonly #headers: ReadonlySet<string>;
  readonly #exposed: string;

  constructor(config: CorsConfig | undefined) {
    this.#config = config;
    this.#anyOrigin = config?.allowedOrigins.includes("*") === true && !config.allowCredentials;
    this.#origins = new Set((config?.allowedOrigins ?? []).map((origin) => origin.toLowerCase()));
    this.#methods = new Set((config?.allowedMethods ?? []).map((method) => method.toUpperCase()));
    this.#anyHeader = config?.allowedHeaders.includes("*") === true && !config.allowCredentials;
    this.#headers = new Set((config?.allowedHeaders ?? []).map((name) => name.toLowerCase()));
    this.#exposed = [
      ...new Set([...(config?.exposedHeaders ?? []).map((h) => h.toLowerCase()), ...OWN_EXPOSED.split(", ")]),
    ].join(", ");
  }

  /** True when `gateway.cors` is set. */
  get configured(): boolean {
    return this.#config !== undefined;
  }

  /** The `Access-Control-Allow-Origin` value for `origin`, or undefined when it is not allowed. */
  #allowOrigin(origin: string | undefined): string | undefined {
    if (origin === undefined || this.#config === undefined) return undefined;
    if (this.#anyOrigin) return "*";
    return this.#origins.has(origin.toLowerCase()) ? origin : undefined;
  }

  /**
   * Answers a preflight at the gateway (never forwarded). `selfRotate`: the
   * path is the gateway's own `POST /v1/self/rotate`, which needs POST and
   * the key headers whatever the configured methods and headers.
   */
  answerPreflight(req: IncomingMessage, res: ServerResponse, selfRotate: boolean): void {
    req.resume();
    const config = this.#config;
    if (config === undefined) {
      res.writeHead(NO_CONTENT, selfRotate ? SELF_ROTATE_PREFLIGHT : { "content-length": "0" });
      res.end();
      return;
    }
    const headers: Record<string, string> = { vary: "Origin", "content-length": "0" };
    const allowOrigin = this.#allowOrigin(req.headers.origin);
    const method = String(req.headers["access-control-request-method"] ?? "").toUpperCase();
    const asked = splitList(
      Array.isArray(req.headers["access-control-request-headers"])
        ? req.headers["access-control-request-headers"].join(",")
        : req.headers["access-control-request-headers"],
    );
    const methodAllowed = selfRotate ? method === "POST" : this.#methods.has(method);
    const headersAllowed = asked.every(
      (name) =>
        this.#anyHeader ||
        this.#headers.has(name) ||
        (selfRotate && (name === "x-api-key" || name === "authorization")),
    );
    if (allowOrigin !== undefined && methodAllowed && headersAllowed) {
      headers["access-control-allow-origin"] = allowOrigin;
      headers["access-control-allow-methods"] = selfRotate ? "POST" : [...this.#methods].join(", ");
      headers["access-control-allow-headers"] =
        selfRotate || this.#anyHeader ? asked.join(", ") : [...this.#headers].join(", ");
      headers["access-control-max-age"] = String(config.maxAgeSeconds);
      if (config.allowCredentials) headers["access-control-allow-credentials"] = "true";
    }
    res.writeHead(NO_CONTENT, headers);
    res.end();
  }

  /**
   * Marks a response as the gateway's own answer to a cross-origin request.
   * Set before anything is written, so every refusal inherits it; the proxied
   * path decides again in `upstreamHeaders`.
   */
  applyOwn(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (this.#config === undefined) {
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader("access-control-expose-headers", OWN_EXPOSED);
      return;
    }
    res.setHeader("vary", "Origin");
    const allowOrigin = this.#allowOrigin(origin);
    if (allowOrigin === undefined) return;
    res.setHeader("access-control-allow-origin", allowOrigin);
    res.setHeader("access-control-expose-headers", this.#exposed);
    if (this.#config.allowCredentials) res.setHeader("access-control-allow-credentials", "true");
  }

  /**
   * Adjusts an upstream response's headers before they are written. Without
   * `gateway.cors`: the gateway's own marks are removed (the upstream's
   * policy applies) and the gateway's headers are exposed where the upstream
   * allows an origin. With it: the upstream's `Access-Control-*` headers are
   * dropped; the marks `applyOwn` set stay, and `Vary` names `Origin`.
   */
  upstreamHeaders(res: ServerResponse, headers: OutgoingHttpHeaders): void {
    if (this.#config === undefined) {
      if (res.hasHeader("access-control-allow-origin")) {
        res.removeHeader("access-control-allow-origin");
        res.removeHeader("access-control-expose-headers");
      }
      exposeGatewayHeaders(headers);
      return;
    }
    for (const name of Object.keys(headers)) {
      if (name.startsWith("access-control-")) delete headers[name];
    }
    if (res.hasHeader("vary")) {
      headers.vary = varyWith(headers.vary, "Origin");
      res.removeHeader("vary");
    }
  }
}

/** Appends the gateway's header names to an upstream response that allows cross-origin reads. */
export function exposeGatewayHeaders(headers: OutgoingHttpHeaders): void {
  if (headers["access-control-allow-origin"] === undefined) return;
  const existing = headers["access-control-expose-headers"];
  const listed = (Array.isArray(existing) ? existing.join(",") : String(existing ?? ""))
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  const missing = GATEWAY_RESPONSE_HEADERS.filter((name) => !listed.includes(name));
  if (missing.length === 0) return;
  headers["access-control-expose-headers"] = [...listed, ...missing].join(", ");
}
