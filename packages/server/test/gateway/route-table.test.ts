import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { routePath } from "../../src/gateway/route-path.ts";
import { compileRouteTable, DEFAULT_ROUTE } from "../../src/gateway/route-table.ts";

describe("routePath", () => {
  it.each([
    ["/v2/orders", "/v2/orders"],
    ["/v2/orders?x=1", "/v2/orders"],
    ["/v2/orders/", "/v2/orders"],
    ["/V2/Orders", "/v2/orders"],
    ["/v2//orders", "/v2/orders"],
    ["/v2/./orders", "/v2/orders"],
    ["/v2/x/../orders", "/v2/orders"],
    ["/v2/%6Frders", "/v2/orders"],
    ["/v2%2Forders", "/v2/orders"],
    ["/../../v2/orders", "/v2/orders"],
    ["/", "/"],
    ["", "/"],
    ["/v2/%E0%A4%A", "/v2/%e0%a4%a"],
  ])("%s → %s", (input, expected) => {
    expect(routePath(input)).toBe(expected);
  });
});

describe("RouteTable", () => {
  const table = compileRouteTable([
    { method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 5 },
    { method: "*", path: "/v2/orders", scopes: ["read"], cost: 1 },
    { method: "GET", path: "/v2/items/:id", scopes: ["items"], cost: 2 },
    { method: "GET", path: "/v2/items/special", scopes: ["special"], cost: 3 },
    { method: "*", path: "/v2/admin/*", scopes: ["admin"], cost: 1 },
    { method: "DELETE", path: "/v2/admin/*", scopes: ["admin", "delete"], cost: 1 },
  ]);

  it("matches exact paths by method, falling back to *", () => {
    expect(table.match("POST", "/v2/orders").scopes).toEqual(["trade"]);
    expect(table.match("GET", "/v2/orders?symbol=ETH").scopes).toEqual(["read"]);
    expect(table.match("POST", "/v2/Orders/").cost).toBe(5);
  });

  it("prefers static segments over parameters, and HEAD uses the GET rule", () => {
    expect(table.match("GET", "/v2/items/42").scopes).toEqual(["items"]);
    expect(table.match("GET", "/v2/items/special").scopes).toEqual(["special"]);
    expect(table.match("HEAD", "/v2/items/42").scopes).toEqual(["items"]);
    expect(table.match("POST", "/v2/items/42")).toBe(DEFAULT_ROUTE);
    expect(table.match("GET", "/v2/items/42/extra")).toBe(DEFAULT_ROUTE);
  });

  it("matches wildcards on the prefix itself and below, named method first", () => {
    expect(table.match("GET", "/v2/admin").scopes).toEqual(["admin"]);
    expect(table.match("GET", "/v2/admin/users/1").scopes).toEqual(["admin"]);
    expect(table.match("DELETE", "/v2/admin/users/1").scopes).toEqual(["admin", "delete"]);
    expect(table.match("GET", "/v2/administrator")).toBe(DEFAULT_ROUTE);
    expect(table.match("GET", "/v2/x/../admin/users").scopes).toEqual(["admin"]);
  });

  it("gives unlisted routes no scope and cost 1", () => {
    expect(table.match("GET", "/v2/daily-ohlcv")).toEqual({ method: "*", path: "/*", scopes: [], cost: 1 });
  });

  it("rejects duplicate and malformed rules", () => {
    expect(() =>
      compileRouteTable([
        { method: "GET", path: "/a", scopes: [], cost: 1 },
        { method: "GET", path: "/A/", scopes: [], cost: 1 },
      ]),
    ).toThrow(/twice/);
    expect(() => compileRouteTable([{ method: "GET", path: "a", scopes: [], cost: 1 }])).toThrow(
      /start with/,
    );
    expect(() => compileRouteTable([{ method: "GET", path: "/a/*/b/:x", scopes: [], cost: 1 }])).toThrow(
      /last segment/,
    );
  });
});

describe("RouteTable patterns (property)", () => {
  /** The obvious matcher: split both into segments and compare them one by one. */
  function reference(pattern: string, path: string): boolean {
    const want = pattern.split("/").filter((part) => part !== "");
    const wildcard = want.at(-1) === "*";
    if (wildcard) want.pop();
    const got = routePath(path)
      .split("/")
      .filter((part) => part !== "");
    if (got.length < want.length || (!wildcard && got.length !== want.length)) return false;
    return want.every((segment, i) => segment.startsWith(":") || segment === got[i]);
  }

  const segment = fc.constantFrom("v2", "items", "v", "2", "x", "ab", "item", "itemsx");
  const patternArb = fc
    .tuple(fc.array(fc.oneof(segment, fc.constant(":id")), { maxLength: 4 }), fc.boolean())
    .map(([parts, wildcard]) => `/${[...parts, ...(wildcard ? ["*"] : [])].join("/")}`)
    .filter((pattern) => pattern.includes("/:") || pattern.endsWith("*"));
  const pathArb = fc
    .array(fc.oneof(segment, fc.constantFrom("", ".", "V2", "42")), { maxLength: 6 })
    .map((parts) => `/${parts.join("/")}`);

  it("matches exactly the paths a split-and-compare matcher matches", () => {
    fc.assert(
      fc.property(patternArb, pathArb, (pattern, path) => {
        const rule = { method: "GET", path: pattern, scopes: ["s"], cost: 7 };
        const matched = compileRouteTable([rule]).match("GET", path) !== DEFAULT_ROUTE;
        expect(matched).toBe(reference(pattern, path));
      }),
      { numRuns: 3000 },
    );
  });
});
