import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The demo API is public data for browser apps too, so it allows every
 * origin. It never uses cookies (callers authenticate with an API key that
 * keygate checks), so `*` without credentials is the right policy.
 * keygate forwards preflights here without a key and exposes its own
 * response headers (`Deprecation`, `Sunset`, `RateLimit`…) itself; this
 * upstream only lists the headers it sets.
 */
const EXPOSED = "location, x-upstream-saw-consumer, x-upstream-saw-key";

/** Sets the CORS headers every response carries; answers a preflight and returns true if `req` is one. */
export function handleCors(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-expose-headers", EXPOSED);
  if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) return false;
  req.resume();
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST",
    "access-control-allow-headers": "x-api-key, authorization, content-type",
    "access-control-max-age": "600",
  });
  res.end();
  return true;
}
