import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** RFC 9110 §7.6.1 connection-specific fields, plus the non-standard ones proxies also drop. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Headers the gateway sets itself; a client's own values are never passed on. */
const GATEWAY_SET = new Set(["host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"]);

/** Field names listed in `Connection` are hop-by-hop too. */
function connectionTokens(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const text = Array.isArray(connection) ? connection.join(",") : connection;
  if (text === "keep-alive" || text === "close" || text === "") return undefined;
  return new Set(text.split(",").map((token) => token.trim().toLowerCase()));
}

export interface UpstreamIdentity {
  readonly keyId: string;
  readonly consumerId: string;
  readonly remoteAddress: string | undefined;
  readonly stripApiKey: boolean;
  readonly stripAuthorization: boolean;
}

/**
 * The request headers to send upstream: hop-by-hop fields and the key's
 * carrier(s) removed, any client-sent `x-keygate-*` dropped (the upstream
 * must be able to trust them), identity and `x-forwarded-*` added.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  identity: UpstreamIdentity,
): OutgoingHttpHeaders {
  const out = forwardedHeaders(
    incoming,
    identity.remoteAddress,
    identity.stripApiKey,
    identity.stripAuthorization,
  );
  out["x-keygate-consumer-id"] = identity.consumerId;
  out["x-keygate-key-id"] = identity.keyId;
  return out;
}

/**
 * The headers of a CORS preflight forwarded without a key: as above, with no
 * identity (nobody was authenticated) and any key carrier removed.
 */
export function preflightRequestHeaders(
  incoming: IncomingHttpHeaders,
  remoteAddress: string | undefined,
): OutgoingHttpHeaders {
  return forwardedHeaders(incoming, remoteAddress, true, true);
}

function forwardedHeaders(
  incoming: IncomingHttpHeaders,
  remoteAddress: string | undefined,
  stripApiKey: boolean,
  stripAuthorization: boolean,
): OutgoingHttpHeaders {
  const extraHop = connectionTokens(incoming.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(incoming)) {
    if (HOP_BY_HOP.has(name) || GATEWAY_SET.has(name) || name.startsWith("x-keygate-")) continue;
    if (extraHop?.has(name)) continue;
    if (name === "x-api-key" && stripApiKey) continue;
    if (name === "authorization" && stripAuthorization) continue;
    out[name] = incoming[name];
  }
  const remote = remoteAddress ?? "unknown";
  const prior = incoming["x-forwarded-for"];
  out["x-forwarded-for"] = prior === undefined || prior === "" ? remote : `${prior}, ${remote}`;
  out["x-forwarded-proto"] = "http";
  if (incoming.host !== undefined) out["x-forwarded-host"] = incoming.host;
  return out;
}

/** The upstream's response headers minus hop-by-hop fields (node sets its own framing). */
export function downstreamResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const extraHop = connectionTokens(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(upstream)) {
    if (HOP_BY_HOP.has(name) || extraHop?.has(name)) continue;
    const value = upstream[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
