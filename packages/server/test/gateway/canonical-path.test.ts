import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalPath } from "../../src/gateway/canonical-path.ts";

function canonical(path: string): string | undefined {
  const result = canonicalPath(path);
  return result.ok ? result.path : undefined;
}

describe("canonicalPath", () => {
  it.each([
    ["/", "/"],
    ["/v2/orders", "/v2/orders"],
    ["/v2/orders/", "/v2/orders/"],
    ["/V2/Orders", "/V2/Orders"],
    ["/v2/%6Frders", "/v2/orders"],
    ["/v2/%6frders", "/v2/orders"],
    ["/%7Euser/%41-%5a_%2D%2e%5F", "/~user/A-Z_-._"],
    ["//v2/orders", "/v2/orders"],
    ["/v2//orders//", "/v2/orders/"],
    ["/v2/./orders", "/v2/orders"],
    ["/v2/x/../orders", "/v2/orders"],
    ["/v2/%2e%2E/orders", "/orders"],
    ["/v2/.%2e/orders", "/orders"],
    ["/../../etc/passwd", "/etc/passwd"],
    ["/a/b/..", "/a/"],
    ["/a/.", "/a/"],
    ["/..", "/"],
    ["//", "/"],
    ["/v2/orders.json", "/v2/orders.json"],
    ["/v2/.well-known/x", "/v2/.well-known/x"],
    ["/v2/caf%c3%a9", "/v2/caf%C3%A9"],
    ["/v2/caf\u00c3\u00a9", "/v2/caf%C3%A9"],
    ["/v2/caf\u00e9", "/v2/caf%E9"],
    ["/v2/\u20ac", "/v2/%E2%82%AC"],
    ["/v2/a b", "/v2/a%20b"],
    ["/v2/a%20b", "/v2/a%20b"],
    ['/v2/{id}|x^`"<>[]', "/v2/%7Bid%7D%7Cx%5E%60%22%3C%3E%5B%5D"],
    ["/v2/a%25b", "/v2/a%25b"],
    ["/v2/a%3Bb", "/v2/a%3Bb"],
    ["/v2/a%3fb", "/v2/a%3Fb"],
    ["/v2/!$&'()*+,=:@", "/v2/!$&'()*+,=:@"],
  ])("%s → %s", (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });

  it.each([
    "",
    "v2/orders",
    "*",
    "/v2/orders;x=1",
    "/v2;/orders",
    "/v2\\orders",
    "/v2/orders.",
    "/v2/orders..",
    "/v2/orders...",
    "/v2/orders%2e",
    "/v2/orders%20",
    "/v2/orders /x",
    "/v2%2Forders",
    "/v2%2forders",
    "/v2%5Corders",
    "/v2/orders%00",
    "/v2/orders%0d%0a",
    "/v2/orders\u0000",
    "/v2/orders\t",
    "/v2/orders\u007f",
    "/v2/orders%7F",
    "/v2/orders%",
    "/v2/orders%4",
    "/v2/orders%zz",
    "/v2/\ud800",
  ])("refuses %j", (input) => {
    const result = canonicalPath(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
  });

  it("returns an already-canonical path as the same string", () => {
    const path = "/v2/daily-ohlcv";
    const result = canonicalPath(path);
    expect(result).toEqual({ ok: true, path });
  });

  const pathChars = fc.constantFrom(
    ..."/./../aZ09-_~%2e%2E%2F%41%c3%a9;\\ \t\u0000\u00e9\u20ac{}|:@!$&'()*+,=".split(""),
    "%2e",
    "%2E",
    "%2F",
    "%41",
    "%c3",
    "%20",
    "/..",
    "/.",
    "//",
  );
  const paths = fc.array(pathChars, { maxLength: 24 }).map((parts) => `/${parts.join("")}`);

  it("is idempotent: canonical(canonical(p)) === canonical(p)", () => {
    fc.assert(
      fc.property(paths, (path) => {
        const once = canonicalPath(path);
        if (!once.ok) return;
        expect(canonicalPath(once.path)).toEqual(once);
      }),
      { numRuns: 3000 },
    );
  });

  it("never yields a dot segment, an empty segment inside, a backslash, a ; or an encoded slash", () => {
    fc.assert(
      fc.property(paths, (path) => {
        const result = canonicalPath(path);
        if (!result.ok) return;
        const out = result.path;
        expect(out.startsWith("/")).toBe(true);
        expect(out).not.toMatch(/\/\/|\\|;|%2F|%5C|%[0-9A-F]?[a-f]/);
        for (const segment of out.split("/").slice(1, -1)) {
          expect(segment).not.toBe("");
          expect([".", ".."]).not.toContain(segment);
          expect(segment.endsWith(".")).toBe(false);
        }
        expect(out).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,=:@/%]*$/);
      }),
      { numRuns: 3000 },
    );
  });

  it("maps the spellings of one path to one canonical path", () => {
    const spellings = [
      "/v2/orders",
      "/v2/%6Frders",
      "//v2/orders",
      "/v2/./orders",
      "/v2/x/../orders",
      "/%76%32/orders",
    ];
    expect(new Set(spellings.map(canonical))).toEqual(new Set(["/v2/orders"]));
  });
});
