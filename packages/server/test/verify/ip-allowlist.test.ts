import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileAllowlist, normalizeAllowedIps } from "../../src/verify/ip-allowlist.ts";

function cidrsOf(entries: string[]): readonly string[] {
  const result = normalizeAllowedIps(entries, 10);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.cidrs;
}

describe("normalizeAllowedIps", () => {
  it("canonicalises entries to network CIDRs, IPv4-mapped IPv6 to IPv4, duplicates dropped", () => {
    const result = normalizeAllowedIps(
      ["10.1.2.3/8", "203.0.113.7", "2001:DB8::1", "2001:db8:abcd::/48", "::ffff:198.51.100.1", "10.0.0.0/8"],
      10,
    );
    expect(result).toEqual({
      ok: true,
      cidrs: ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::1/128", "2001:db8:abcd::/48", "198.51.100.1/32"],
    });
  });

  it("names every bad entry at once, and bounds the count", () => {
    const result = normalizeAllowedIps(
      ["1.2.3", "10.0.0.0/33", "fe80::/129", "example.com", "0x7f.1.1.1", "8.8.8.8"],
      5,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.index)).toEqual([5, 0, 1, 2, 3, 4]);
  });
});

describe("compileAllowlist", () => {
  const list = compileAllowlist(cidrsOf(["203.0.113.0/24", "198.51.100.7", "2001:db8:1::/48"]));

  it("lets in addresses inside, IPv4 and IPv6, and IPv4-mapped IPv6 forms of IPv4 ones", () => {
    for (const ip of [
      "203.0.113.0",
      "203.0.113.255",
      "198.51.100.7",
      "2001:db8:1::1",
      "2001:db8:1:ffff::9",
      "::ffff:203.0.113.9",
    ])
      expect(list.allows(ip), ip).toBe(true);
  });

  it("keeps out everything else, and unknown or malformed addresses", () => {
    for (const ip of [
      "203.0.114.0",
      "198.51.100.8",
      "2001:db8:2::1",
      "::1",
      "127.0.0.1",
      "",
      "203.0.113",
      "203.0.113.1.5",
      "abc",
      undefined,
    ])
      expect(list.allows(ip), String(ip)).toBe(false);
  });

  it("agrees with a plain prefix check for random IPv4 addresses and /n networks", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (net, ip, prefix) => {
        const cidrs = cidrsOf([`${net}/${prefix}`]);
        const toNum = (s: string) => s.split(".").reduce((n, p) => n * 256 + Number(p), 0);
        const size = 2 ** (32 - prefix);
        const expected = Math.floor(toNum(ip) / size) === Math.floor(toNum(net) / size);
        return compileAllowlist(cidrs).allows(ip) === expected;
      }),
      { numRuns: 500 },
    );
  });
});
