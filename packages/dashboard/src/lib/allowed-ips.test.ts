import { describe, expect, it } from "vitest";
import { ApiError } from "../api/api-error.ts";
import { allowedIpsError, formatAllowedIps, parseAllowedIps } from "./allowed-ips.ts";

const problem = (errors: { path: string; message: string }[]) =>
  new ApiError({ status: 400, code: "VALIDATION_FAILED", title: "Validation failed", detail: "", errors });

describe("allowed IPs", () => {
  it("reads one entry per line or comma, ignoring blank lines", () => {
    expect(parseAllowedIps(" 10.0.0.1\n\n2001:db8::/32, 192.0.2.0/24 \n")).toEqual([
      "10.0.0.1",
      "2001:db8::/32",
      "192.0.2.0/24",
    ]);
    expect(parseAllowedIps("  \n")).toEqual([]);
    expect(formatAllowedIps(null)).toBe("");
    expect(formatAllowedIps(["10.0.0.0/8", "::1/128"])).toBe("10.0.0.0/8\n::1/128");
  });

  it("names the entry each problem is about, by the index the API gives", () => {
    const sent = parseAllowedIps("10.0.0.1\n\n10.0.0.300\nnope");
    const error = problem([
      { path: "/body/allowedIps/1", message: "is not an IPv4 or IPv6 address or CIDR" },
      { path: "/body/allowedIps/2", message: "is not an IPv4 or IPv6 address or CIDR" },
      { path: "/body/name", message: "required" },
    ]);
    expect(allowedIpsError(error, sent)).toBe(
      "“10.0.0.300” is not an IPv4 or IPv6 address or CIDR; “nope” is not an IPv4 or IPv6 address or CIDR",
    );
  });

  it("keeps a problem with the whole list, and says nothing when there is none", () => {
    expect(allowedIpsError(problem([{ path: "/body/allowedIps", message: "at most 2 entries" }]), [])).toBe(
      "at most 2 entries",
    );
    expect(allowedIpsError(problem([{ path: "/body/allowedIps/7", message: "is bad" }]), [])).toBe(
      "Entry 8 is bad",
    );
    expect(allowedIpsError(problem([{ path: "/body/name", message: "required" }]), ["x"])).toBeUndefined();
    expect(allowedIpsError(undefined, ["x"])).toBeUndefined();
  });
});
