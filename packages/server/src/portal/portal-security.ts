import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { KeygateError } from "@keygate/core";

/** Headers on every portal answer: nothing framed, sniffed or leaked through a referrer. */
export const PORTAL_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  // API answers are data, never a document: nothing in them may run or load.
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
};

/**
 * The pages' CSP: only the portal's own bundle runs (no inline script, no
 * eval), styles come from its own files, requests go to its own origin, and
 * nothing may frame it. A configured https logo adds its origin to img-src.
 */
export function portalPageHeaders(logoUrl: string | null): Record<string, string> {
  const logoOrigin = logoUrl?.startsWith("https://") ? ` ${new URL(logoUrl).origin}` : "";
  return {
    "content-security-policy":
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:${logoOrigin}; ` +
      "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
      "form-action 'self'",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A state-changing portal request must carry the session's CSRF token in
 * `x-keygate-csrf`. A page on another origin cannot read the token (the
 * portal answers no CORS), and cannot send the header without a preflight
 * the portal refuses.
 */
export function checkCsrf(headers: IncomingHttpHeaders, csrfToken: string): void {
  const sent = headers["x-keygate-csrf"];
  if (typeof sent !== "string" || !sameSecret(sent, csrfToken)) {
    throw new KeygateError(
      "CSRF_FAILED",
      "This change needs the x-keygate-csrf header with the csrfToken from GET /portal/v1/me.",
    );
  }
}

/**
 * Browsers send `Origin` on every POST; one that names another site is a
 * forged request (login CSRF, a cross-site form) and is refused before
 * anything happens. Clients that send no Origin (curl, servers) pass: they
 * carry no victim's cookie.
 */
export function checkOrigin(
  headers: IncomingHttpHeaders,
  portalOrigin: string,
  ownOrigin: string | undefined,
): void {
  const origin = headers.origin;
  if (origin === undefined) return;
  if (origin === portalOrigin || origin === ownOrigin) return;
  throw new KeygateError("CSRF_FAILED", "Cross-site requests to the portal are refused.");
}
