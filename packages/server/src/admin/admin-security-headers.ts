import type { FastifyReply } from "fastify";

/**
 * Browser-side defences on every answer of the admin port. API answers are
 * data, never a document: nothing in them may run, load or be framed, even
 * if a browser were tricked into rendering one. Pages that are documents
 * (the dashboard, the SSO refusal page) set their own, narrower-than-this
 * CSP first; these only fill in what an answer lacks.
 */
export const ADMIN_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  // Older browsers ignore frame-ancestors: clickjacking of the dashboard is refused both ways.
  "x-frame-options": "DENY",
  // Dashboard URLs carry consumer and key ids; no other site learns them from a Referer.
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** Sets each of `ADMIN_SECURITY_HEADERS` the answer does not set itself. */
export function applyAdminSecurityHeaders(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(ADMIN_SECURITY_HEADERS))
    if (!reply.hasHeader(name)) reply.header(name, value);
}
