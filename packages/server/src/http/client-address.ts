import type { IncomingHttpHeaders } from "node:http";
import ipaddr from "ipaddr.js";
import { compileAllowlist, normalizeAllowedIps } from "../verify/ip-allowlist.ts";

/**
 * Who the client is, for every port that acts on a client address (the
 * gateway's failure throttle and `X-Forwarded-For`, forward auth, per-key IP
 * allowlists).
 *
 * The client address is the socket peer, unless that peer is a trusted proxy
 * (`gateway.trustedProxies`): then it is the right-most `X-Forwarded-For`
 * entry that is not itself a trusted proxy (each proxy appends the address
 * it saw, so everything left of the last untrusted hop was written by the
 * client and proves nothing), or `X-Real-IP` when there is no
 * `X-Forwarded-For`. `Forwarded` (RFC 7239) is not read: proxies that set it
 * also set `X-Forwarded-For`, and reading two sources invites disagreement.
 * Addresses are normalised: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes
 * IPv4, IPv6 is in its compressed lower-case form.
 */

/** A compiled list of trusted proxy CIDRs. Build with `trustedProxies`. */
export interface TrustedProxies {
  /** No proxy is trusted: the socket peer is always the client (the hot-path check). */
  readonly empty: boolean;
  /** The CIDRs in canonical form (`10.0.0.0/8`), as compiled. */
  readonly cidrs: readonly string[];
  /** Whether `address` (a normalised address, see `normalizeAddress`) is a trusted proxy. */
  trusts(address: string | undefined): boolean;
}

/** Thrown by `trustedProxies` for a list with an entry that is not a CIDR; lists every bad entry. */
export class TrustedProxiesError extends Error {
  readonly problems: readonly { readonly index: number; readonly message: string }[];

  constructor(problems: readonly { readonly index: number; readonly message: string }[]) {
    super(`trustedProxies: ${problems.map((p) => `entry ${p.index} ${p.message}`).join("; ")}`);
    this.name = "TrustedProxiesError";
    this.problems = problems;
  }
}

/** Most entries in a trusted-proxy list: a list is a handful of load balancer ranges, not a database. */
export const MAX_TRUSTED_PROXIES = 1000;

/** Trusts nobody: the default. */
export const NO_TRUSTED_PROXIES: TrustedProxies = Object.freeze({
  empty: true,
  cidrs: Object.freeze([]) as readonly string[],
  trusts: () => false,
});

const compiled = new Map<string, TrustedProxies>();

/**
 * Validates and compiles `cidrs` (IPv4/IPv6 addresses or CIDRs), once per
 * distinct list: ports built from the same config share one matcher.
 * Throws `TrustedProxiesError` for an invalid entry.
 */
export function trustedProxies(cidrs: readonly string[]): TrustedProxies {
  if (cidrs.length === 0) return NO_TRUSTED_PROXIES;
  const cacheKey = cidrs.join(",");
  const cached = compiled.get(cacheKey);
  if (cached !== undefined) return cached;
  const normalized = normalizeAllowedIps(cidrs, MAX_TRUSTED_PROXIES);
  if (!normalized.ok) throw new TrustedProxiesError(normalized.problems);
  const list = compileAllowlist(normalized.cidrs);
  const matcher: TrustedProxies = Object.freeze({
    empty: false,
    cidrs: Object.freeze([...normalized.cidrs]),
    trusts: (address: string | undefined) => list.allows(address),
  });
  // Config lists are few; the bound only keeps a misuse (a list per request) from growing without end.
  if (compiled.size >= 64) compiled.clear();
  compiled.set(cacheKey, matcher);
  return matcher;
}

/** True for text made only of digits and dots: an IPv4 address as the kernel writes it (validated later if needed). */
function looksLikeIpv4(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return true;
}

/**
 * The normalised form of an address as a socket or a header gives it, or
 * undefined when it is not an IP address. Accepts `[v6]`, `[v6]:port` and
 * `v4:port` (some proxies append the port); drops an IPv6 zone.
 */
export function normalizeAddress(text: string): string | undefined {
  let host = text.trim();
  if (host.length === 0) return undefined;
  if (host.charCodeAt(0) === 91) {
    const close = host.indexOf("]");
    if (close === -1) return undefined;
    host = host.slice(1, close);
  } else {
    const colon = host.indexOf(":");
    if (colon !== -1 && colon === host.lastIndexOf(":")) host = host.slice(0, colon); // v4:port
  }
  const zone = host.indexOf("%");
  if (zone !== -1) host = host.slice(0, zone);
  if (looksLikeIpv4(host)) return ipaddr.IPv4.isValidFourPartDecimal(host) ? host : undefined;
  if (!ipaddr.IPv6.isValid(host)) return undefined;
  const v6 = ipaddr.IPv6.parse(host);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toString();
}

/**
 * A socket's `remoteAddress` normalised. Cheap for what the kernel hands
 * over: IPv4 text is returned as is, `::ffff:a.b.c.d` is sliced, and only
 * other IPv6 text is parsed.
 */
export function normalizePeer(peer: string | undefined): string | undefined {
  if (peer === undefined) return undefined;
  if (peer.indexOf(":") === -1) return peer;
  if (peer.startsWith("::ffff:") && peer.indexOf(".") !== -1) return peer.slice(7);
  return normalizeAddress(peer);
}

function headerText(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * The client address of a request: the normalised socket peer unless the
 * peer is trusted (see the module comment). Undefined only when the socket
 * has no peer address (it closed).
 */
export function clientAddress(
  socketPeer: string | undefined,
  headers: IncomingHttpHeaders,
  trusted: TrustedProxies,
): string | undefined {
  const peer = normalizePeer(socketPeer);
  if (trusted.empty || peer === undefined || !trusted.trusts(peer)) return peer;
  const forwardedFor = headerText(headers["x-forwarded-for"]);
  if (forwardedFor !== undefined && forwardedFor.trim() !== "") {
    const hops = forwardedFor.split(",");
    let nearest = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalizeAddress(hops[i] ?? "");
      // Not an address: a trusted proxy wrote something unusable, so the last hop known to be real answers.
      if (hop === undefined) return nearest;
      if (!trusted.trusts(hop)) return hop;
      nearest = hop;
    }
    return nearest; // every hop is a trusted proxy: the first one is as far as the chain goes
  }
  const realIp = headerText(headers["x-real-ip"]);
  return (realIp === undefined ? undefined : normalizeAddress(realIp)) ?? peer;
}
