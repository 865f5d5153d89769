import ipaddr from "ipaddr.js";

/**
 * Per-key IP allowlists: CIDRs (IPv4 and IPv6) checked on every request made
 * with the key. Lists are validated and normalised when written
 * (`normalizeAllowedIps`), compiled once per cached key (`compileAllowlist`),
 * and matched with integer compares: an IPv4 client against a 50-entry list
 * costs a few hundred nanoseconds, off the gateway's critical cost.
 */

/** One problem with one entry of a list, by its index. */
export interface AllowlistProblem {
  readonly index: number;
  readonly message: string;
}

export type NormalizedAllowlist =
  | { readonly ok: true; readonly cidrs: readonly string[] }
  | { readonly ok: false; readonly problems: readonly AllowlistProblem[] };

function parseEntry(entry: string): { addr: ipaddr.IPv4 | ipaddr.IPv6; prefix: number } | string {
  const text = entry.trim();
  const slash = text.indexOf("/");
  const host = slash < 0 ? text : text.slice(0, slash);
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(host);
  if (!isV4 && !ipaddr.IPv6.isValid(host)) return "is not an IPv4 or IPv6 address or CIDR";
  let addr: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(host);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  const bits = addr.kind() === "ipv4" ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const tail = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(tail) || Number(tail) > bits) return `has a prefix length outside 0–${bits}`;
    prefix = Number(tail);
  }
  return { addr, prefix };
}

/** The network address of `addr/prefix` (host bits cleared), as canonical text. */
function networkText(addr: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  const bytes = addr.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return `${ipaddr.fromByteArray(bytes).toString()}/${prefix}`;
}

/**
 * Validates a list and returns it canonical: every entry a CIDR of its
 * network address (`10.1.2.3/8` → `10.0.0.0/8`, `2001:db8::1` →
 * `2001:db8::1/128`, IPv4-mapped IPv6 → IPv4), duplicates dropped, order kept.
 */
export function normalizeAllowedIps(entries: readonly string[], maxEntries: number): NormalizedAllowlist {
  const problems: AllowlistProblem[] = [];
  if (entries.length > maxEntries)
    problems.push({ index: maxEntries, message: `at most ${maxEntries} entries` });
  const cidrs: string[] = [];
  entries.forEach((entry, index) => {
    const parsed = parseEntry(entry);
    if (typeof parsed === "string") {
      problems.push({ index, message: parsed });
      return;
    }
    const cidr = networkText(parsed.addr, parsed.prefix);
    if (!cidrs.includes(cidr)) cidrs.push(cidr);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, cidrs };
}

/** An IPv4 address as an unsigned 32-bit number, or -1: the fast path for the common client. */
function ipv4Number(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** A compiled allowlist: does it let `ip` (a socket or forwarded address, as text) use the key? */
export interface IpAllowlist {
  allows(ip: string | undefined): boolean;
}

/**
 * Compiles canonical CIDRs into integer ranges: IPv4 as [first, last]
 * numbers, IPv6 as 16-byte networks with their prefix. An unknown client
 * address (undefined, unparsable) is not allowed.
 */
export function compileAllowlist(cidrs: readonly string[]): IpAllowlist {
  const v4: number[] = [];
  const v6: Array<{ bytes: number[]; prefix: number }> = [];
  for (const cidr of cidrs) {
    const parsed = parseEntry(cidr);
    if (typeof parsed === "string") continue;
    const bytes = parsed.addr.toByteArray();
    if (parsed.addr.kind() === "ipv4") {
      const first =
        (((bytes[0] ?? 0) * 256 + (bytes[1] ?? 0)) * 256 + (bytes[2] ?? 0)) * 256 + (bytes[3] ?? 0);
      v4.push(first, first + 2 ** (32 - parsed.prefix) - 1);
    } else {
      v6.push({ bytes, prefix: parsed.prefix });
    }
  }
  const matchesV6 = (bytes: readonly number[]) =>
    v6.some(({ bytes: net, prefix }) => {
      for (let i = 0; i < 16 && i * 8 < prefix; i++) {
        const keep = Math.min(8, prefix - i * 8);
        const mask = (0xff << (8 - keep)) & 0xff;
        if (((bytes[i] ?? 0) & mask) !== (net[i] ?? 0)) return false;
      }
      return true;
    });
  return {
    allows(ip) {
      if (ip === undefined) return false;
      let n = ipv4Number(ip);
      if (n < 0) {
        if (!ipaddr.IPv6.isValid(ip)) return false;
        const addr = ipaddr.IPv6.parse(ip);
        if (!addr.isIPv4MappedAddress()) return matchesV6(addr.toByteArray());
        n = ipv4Number(addr.toIPv4Address().toString());
      }
      for (let i = 0; i < v4.length; i += 2) if (n >= (v4[i] ?? 1) && n <= (v4[i + 1] ?? 0)) return true;
      return false;
    },
  };
}
