import { describe, expect, it } from "vitest";
import { clientSubject } from "../../src/alerts/auth-failure-guard.ts";
import {
  clientAddress,
  NO_TRUSTED_PROXIES,
  normalizeAddress,
  normalizePeer,
  TrustedProxiesError,
  trustedProxies,
} from "../../src/http/client-address.ts";

describe("normalizeAddress", () => {
  it.each([
    ["1.2.3.4", "1.2.3.4"],
    [" 1.2.3.4 ", "1.2.3.4"],
    ["1.2.3.4:8080", "1.2.3.4"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::FFFF:102:304", "1.2.3.4"],
    ["[::ffff:1.2.3.4]:80", "1.2.3.4"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["::1", "::1"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each(["", "unknown", "1.2.3", "1.2.3.256", "01.2.3.4x", "[::1", "2001:db8::g", "_hidden"])(
    "%j is not an address",
    (input) => {
      expect(normalizeAddress(input)).toBeUndefined();
    },
  );

  it("normalizes socket peers cheaply, IPv4-mapped to IPv4", () => {
    expect(normalizePeer("127.0.0.1")).toBe("127.0.0.1");
    expect(normalizePeer("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(normalizePeer("::1")).toBe("::1");
    expect(normalizePeer(undefined)).toBeUndefined();
  });
});

describe("trustedProxies", () => {
  it("compiles IPv4 and IPv6 CIDRs and bare addresses, and shares one matcher per list", () => {
    const list = trustedProxies(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]);
    expect(list.empty).toBe(false);
    expect(list.cidrs).toEqual(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"]);
    expect(list.trusts("10.1.2.3")).toBe(true);
    expect(list.trusts("11.0.0.1")).toBe(false);
    expect(list.trusts("2001:db8:5::1")).toBe(true);
    expect(list.trusts("2001:db9::1")).toBe(false);
    expect(list.trusts("192.0.2.7")).toBe(true);
    expect(list.trusts("192.0.2.8")).toBe(false);
    expect(list.trusts(undefined)).toBe(false);
    expect(trustedProxies(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"])).toBe(list);
    expect(trustedProxies([])).toBe(NO_TRUSTED_PROXIES);
  });

  it("refuses entries that are not CIDRs, naming each", () => {
    expect(() => trustedProxies(["10.0.0.0/8", "example.com", "10.0.0.0/33"])).toThrowError(
      TrustedProxiesError,
    );
    try {
      trustedProxies(["10.0.0.0/8", "example.com", "10.0.0.0/33"]);
    } catch (error) {
      expect((error as TrustedProxiesError).problems.map((p) => p.index)).toEqual([1, 2]);
    }
  });
});

describe("clientAddress", () => {
  const lb = trustedProxies(["10.0.0.0/8", "fd00::/8"]);

  it("is the socket peer when nobody is trusted, whatever the headers claim", () => {
    const headers = { "x-forwarded-for": "6.6.6.6", "x-real-ip": "6.6.6.6" };
    expect(clientAddress("203.0.113.1", headers, NO_TRUSTED_PROXIES)).toBe("203.0.113.1");
    expect(clientAddress("::ffff:203.0.113.1", headers, NO_TRUSTED_PROXIES)).toBe("203.0.113.1");
  });

  it("is the socket peer when the peer is not a trusted proxy", () => {
    expect(clientAddress("203.0.113.1", { "x-forwarded-for": "6.6.6.6" }, lb)).toBe("203.0.113.1");
  });

  it("is the right-most untrusted X-Forwarded-For hop behind a trusted peer", () => {
    expect(clientAddress("10.0.0.1", { "x-forwarded-for": "6.6.6.6, 198.51.100.2" }, lb)).toBe(
      "198.51.100.2",
    );
    expect(
      clientAddress("10.0.0.1", { "x-forwarded-for": "6.6.6.6, 198.51.100.2, 10.0.0.9, 10.2.0.1" }, lb),
    ).toBe("198.51.100.2");
    expect(clientAddress("::ffff:10.0.0.1", { "x-forwarded-for": "[2001:db8::5]:1234" }, lb)).toBe(
      "2001:db8::5",
    );
    expect(clientAddress("fd00::1", { "x-forwarded-for": "::ffff:198.51.100.3" }, lb)).toBe("198.51.100.3");
  });

  it("joins repeated X-Forwarded-For headers in order", () => {
    expect(clientAddress("10.0.0.1", { "x-forwarded-for": ["6.6.6.6", "198.51.100.2"] }, lb)).toBe(
      "198.51.100.2",
    );
  });

  it("stops at the nearest real hop when a trusted hop wrote garbage, and at the first hop when all are trusted", () => {
    expect(clientAddress("10.0.0.1", { "x-forwarded-for": "6.6.6.6, unknown, 10.0.0.2" }, lb)).toBe(
      "10.0.0.2",
    );
    expect(clientAddress("10.0.0.1", { "x-forwarded-for": "10.0.0.3, 10.0.0.2" }, lb)).toBe("10.0.0.3");
  });

  it("uses X-Real-IP behind a trusted peer without X-Forwarded-For, else the peer", () => {
    expect(clientAddress("10.0.0.1", { "x-real-ip": "198.51.100.7" }, lb)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.1", { "x-real-ip": "garbage" }, lb)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", {}, lb)).toBe("10.0.0.1");
    expect(clientAddress(undefined, {}, lb)).toBeUndefined();
  });
});

describe("clientSubject (failure throttling)", () => {
  it("counts IPv4 by address and IPv6 by /64", () => {
    expect(clientSubject("198.51.100.7")).toBe("198.51.100.7");
    expect(clientSubject("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(clientSubject("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(clientSubject("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
  });
});
