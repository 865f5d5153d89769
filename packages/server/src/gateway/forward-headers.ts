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

/**
 * Headers the gateway sets or handles itself; a client's own values are never
 * passed on as they are. `expect: 100-continue` is answered by the gateway
 * once the key is verified (undici refuses to send it upstream).
 */
const GATEWAY_SET = new Set(["host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "expect"]);

/** Client-address claims: passed on only from a trusted proxy (see `http/client-address.ts`). */
const ADDRESS_CLAIMS = new Set(["forwarded", "x-real-ip"]);

const X = 120;
const DASH = 45;
const UNDERSCORE = 95;

/**
 * True for any spelling of an `x-keygate-*` field: node lower-cases names,
 * and CGI, WSGI, Rack and PHP read `_` as `-` (`x_keygate_consumer_id` is
 * `HTTP_X_KEYGATE_CONSUMER_ID`, the same variable as the real header), so a
 * name counts when, with `_` read as `-`, it starts with `x-keygate-`.
 */
export function isKeygateHeader(name: string): boolean {
  if (name.length < 10 || name.charCodeAt(0) !== X) return false;
  const first = name.charCodeAt(1);
  const second = name.charCodeAt(9);
  return (
    (first === DASH || first === UNDERSCORE) &&
    (second === DASH || second === UNDERSCORE) &&
    name.startsWith("keygate", 2)
  );
}

/** Field names listed in `Connection` are hop-by-hop too. */
function connectionTokens(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const text = Array.isArray(connection) ? connection.join(",") : connection;
  if (text === "keep-alive" || text === "close" || text === "") return undefined;
  return new Set(text.split(",").map((token) => token.trim().toLowerCase()));
}

/** The socket peer of a request and whether it is a trusted proxy (`gateway.trustedProxies`). */
export interface Peer {
  /** The normalised socket peer address (`normalizePeer`). */
  readonly address: string | undefined;
  readonly trusted: boolean;
}

export interface UpstreamIdentity {
  readonly keyId: string;
  readonly consumerId: string;
  readonly peer: Peer;
  readonly stripApiKey: boolean;
  readonly stripAuthorization: boolean;
}

/**
 * The request headers to send upstream: hop-by-hop fields and the key's
 * carrier(s) removed, any client-sent `x-keygate-*` dropped in every
 * spelling (the upstream must be able to trust them), identity and
 * `x-forwarded-*` added. `X-Forwarded-For` is the peer alone, or, from a
 * trusted proxy, its chain with the peer appended; `Forwarded` and
 * `X-Real-IP` pass only from a trusted proxy.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  identity: UpstreamIdentity,
): OutgoingHttpHeaders {
  const out = forwardedHeaders(incoming, identity.peer, identity.stripApiKey, identity.stripAuthorization);
  out["x-keygate-consumer-id"] = identity.consumerId;
  out["x-keygate-key-id"] = identity.keyId;
  return out;
}

/** The one value of a header (a repeated one joined), or undefined when absent or empty. */
function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(", ") : value;
  return text === undefined || text.trim() === "" ? undefined : text;
}

function forwardedHeaders(
  incoming: IncomingHttpHeaders,
  peer: Peer,
  stripApiKey: boolean,
  stripAuthorization: boolean,
): OutgoingHttpHeaders {
  const extraHop = connectionTokens(incoming.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(incoming)) {
    if (HOP_BY_HOP.has(name) || GATEWAY_SET.has(name) || isKeygateHeader(name)) continue;
    if (extraHop?.has(name)) continue;
    if (name === "x-api-key" && stripApiKey) continue;
    if (name === "authorization" && stripAuthorization) continue;
    if (!peer.trusted && ADDRESS_CLAIMS.has(name)) continue;
    out[name] = incoming[name];
  }
  const remote = peer.address ?? "unknown";
  const prior = peer.trusted ? single(incoming["x-forwarded-for"]) : undefined;
  out["x-forwarded-for"] = prior === undefined ? remote : `${prior}, ${remote}`;
  // The gateway itself speaks plain HTTP; a trusted proxy in front may have terminated TLS.
  const proto = peer.trusted
    ? single(incoming["x-forwarded-proto"])?.split(",")[0]?.trim().toLowerCase()
    : undefined;
  out["x-forwarded-proto"] = proto === "https" || proto === "http" ? proto : "http";
  const host = (peer.trusted ? single(incoming["x-forwarded-host"]) : undefined) ?? incoming.host;
  if (host !== undefined) out["x-forwarded-host"] = host;
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
