import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Address ranges a webhook must never reach unless the operator allows
 * private networks: loopback, private, carrier-grade NAT, link-local (cloud
 * metadata at 169.254.169.254), unique-local, documentation, benchmarking,
 * multicast, reserved and unspecified, and the IPv6 translation and
 * tunnel prefixes (NAT64, 6to4, Teredo).
 */
const V4_RANGES: readonly [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

const V6_RANGES: readonly [string, number][] = [
  // Unspecified, loopback and the deprecated IPv4-compatible block.
  ["::", 96],
  ["100::", 64],
  // Translation and tunnelling prefixes (security review 10d): each reaches IPv4 space, or anything,
  // through a relay or translator keygate cannot see past, so none is a safe webhook target.
  // NAT64 well-known prefix (RFC 6052) and local-use NAT64 (RFC 8215).
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  // Teredo (RFC 4380) and 6to4 (RFC 3056).
  ["2001::", 32],
  ["2002::", 16],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
];

const blocked = new BlockList();
for (const [network, prefix] of V4_RANGES) blocked.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of V6_RANGES) blocked.addSubnet(network, prefix, "ipv6");

/** The eight 16-bit groups of an IPv6 address (with `::` and a trailing dotted quad), or null. */
export function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const groups = [...head, ...Array<number>(Math.max(0, missing)).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stands for,
 * or null. NAT64 addresses are not unwrapped: the whole prefix is refused.
 */
function embeddedIpv4(groups: readonly number[]): string | null {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const mapped = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff;
  if (!mapped) return null;
  return [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join(".");
}

/**
 * Whether an IP address lies in a range webhooks must not reach. Anything
 * that is not a well-formed IP counts as private: the guard fails closed.
 */
export function isPrivateAddress(address: string): boolean {
  if (isIPv4(address)) return blocked.check(address, "ipv4");
  if (!isIPv6(address)) return true;
  const groups = ipv6Groups(address);
  if (groups === null) return true;
  const v4 = embeddedIpv4(groups);
  if (v4 !== null) return blocked.check(v4, "ipv4");
  const canonical = groups.map((g) => g.toString(16)).join(":");
  return blocked.check(canonical, "ipv6");
}
