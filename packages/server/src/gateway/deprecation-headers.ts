import type { VerifyOutcome } from "../verify/verify-outcome.ts";

/**
 * Rotation signals for a response made with a deprecated or due key:
 * `Deprecation: @<unix seconds>` (RFC 9745), `Sunset: <IMF-fixdate>`
 * (RFC 8594) when a sunset is set, and a `Link` with `rel="deprecation"`
 * pointing at the rotation guide.
 */
export function deprecationHeaders(outcome: VerifyOutcome, link: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (outcome.deprecatedAt !== undefined && outcome.deprecatedAt !== null) {
    headers.deprecation = `@${Math.floor(outcome.deprecatedAt / 1000)}`;
  }
  if (outcome.sunsetAt !== undefined && outcome.sunsetAt !== null) {
    headers.sunset = new Date(outcome.sunsetAt).toUTCString();
  }
  headers.link = `<${link}>; rel="deprecation"`;
  return headers;
}
