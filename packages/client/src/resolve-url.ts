import { KeygateClientError } from "./keygate-client-error.ts";

/**
 * Resolves what a caller passed to `client.fetch` against the base URL.
 * A path is joined to the base URL's path (`/v2/x` on `https://h/api` →
 * `https://h/api/v2/x`). An absolute URL must have the base URL's origin:
 * the client attaches the API key, and must never send it to another host.
 */
export function resolveRequestUrl(input: RequestInfo | URL, base: URL): URL {
  let url: URL;
  if (input instanceof URL) url = input;
  else if (typeof input !== "string") url = new URL(input.url);
  else if (/^[a-z][a-z\d+.-]*:/i.test(input)) url = new URL(input);
  else if (input.startsWith("/")) url = new URL(base.pathname.replace(/\/+$/, "") + input, base.origin);
  else url = new URL(input, base.pathname.endsWith("/") ? base : `${base.href}/`);
  if (url.origin !== base.origin) {
    throw new KeygateClientError(
      "CROSS_ORIGIN",
      `refusing to send the API key to ${url.origin}; the client is bound to ${base.origin}`,
    );
  }
  return url;
}
