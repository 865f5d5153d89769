import { describe, expect, it } from "vitest";
import { plural } from "./format.ts";

describe("plural", () => {
  it("uses the singular for exactly one and the plural for everything else", () => {
    expect(plural(1, "request")).toBe("1 request");
    expect(plural(0, "request")).toBe("0 requests");
    expect(plural(2, "key")).toBe("2 keys");
    expect(plural(1, "key")).toBe("1 key");
    expect(plural(3, "entry", "entries")).toBe("3 entries");
  });

  it("formats the count like every other number in the dashboard", () => {
    expect(plural(600, "request")).toBe(`${new Intl.NumberFormat().format(600)} requests`);
    expect(plural(5000, "request")).toBe(`${new Intl.NumberFormat().format(5000)} requests`);
  });
});
