import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { KeygateError } from "@keygate/core";

/**
 * A change made with a dashboard session cookie must carry the session's
 * CSRF token in `x-keygate-csrf` (from `GET /v1/me`). A page on another
 * origin cannot read the token (the admin port answers no CORS) and cannot
 * send the header without a preflight the admin port refuses; the cookie's
 * `SameSite=Strict` is a second, independent fence.
 */
export function checkOperatorCsrf(headers: IncomingHttpHeaders, csrfToken: string): void {
  const sent = headers["x-keygate-csrf"];
  const a = Buffer.from(typeof sent === "string" ? sent : "");
  const b = Buffer.from(csrfToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new KeygateError(
      "CSRF_FAILED",
      "A change from a dashboard session needs the x-keygate-csrf header with the csrfToken from GET /v1/me.",
    );
  }
}
