import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/**
 * CORS at the gateway. Browser consumers (e.g. `@keygate/client` in a web
 * page) call the gateway from another origin; three things follow:
 *
 * - A preflight (`OPTIONS` with `Access-Control-Request-Method`) never carries
 *   the API key (the Fetch standard strips credentials and custom headers
 *   from it), so the gateway forwards it unauthenticated and the upstream
 *   answers it: which origins may call the API is the upstream's policy.
 * - Headers the gateway adds to upstream responses (`Deprecation`, `Sunset`,
 *   `Link`, `RateLimit*`) are invisible to a page unless exposed; when the
 *   upstream's response allows an origin, the gateway appends its own names
 *   to `Access-Control-Expose-Headers`.
 * - The gateway's own answers (refusals such as `401 KEY_EXPIRED`, `429`, and
 *   `POST /v1/self/rotate`) carry `Access-Control-Allow-Origin: *` when the
 *   request has an `Origin`, so a page can read why it was refused and rotate
 *   its key. `*` is safe here: keygate authenticates by a header the page
 *   must hold itself, never by cookies, and `*` excludes credentialed
 *   requests. Proxied responses never get these: the upstream decides.
 */

/** Response headers the gateway adds to upstream responses. */
const GATEWAY_RESPONSE_HEADERS = ["deprecation", "sunset", "link", "ratelimit", "ratelimit-policy"];
/** What a page needs to read on the gateway's own answers. */
const OWN_EXPOSED = `${[...GATEWAY_RESPONSE_HEADERS, "www-authenticate", "retry-after"].join(", ")}`;

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
}

/**
 * Marks a response as the gateway's own answer to a cross-origin request.
 * Set before anything is written, so every refusal inherits it; the proxied
 * path removes it again with `clearOwnCors`.
 */
export function applyOwnCors(req: IncomingMessage, res: ServerResponse): void {
  if (req.headers.origin === undefined) return;
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-expose-headers", OWN_EXPOSED);
}

/** Undoes `applyOwnCors` before an upstream response is written: the upstream's CORS policy applies. */
export function clearOwnCors(res: ServerResponse): void {
  if (!res.hasHeader("access-control-allow-origin")) return;
  res.removeHeader("access-control-allow-origin");
  res.removeHeader("access-control-expose-headers");
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

/** The answer to a preflight for `POST /v1/self/rotate`, which the gateway serves itself. */
export const SELF_ROTATE_PREFLIGHT: Readonly<Record<string, string>> = Object.freeze({
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST",
  "access-control-allow-headers": "x-api-key, authorization",
  "access-control-max-age": "600",
});
