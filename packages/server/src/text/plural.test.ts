import { describe, expect, it } from "vitest";
import { plural, windowInWords } from "./plural.ts";

describe("plural", () => {
  it("uses the singular for exactly one and the plural for everything else", () => {
    expect(plural(1, "request")).toBe("1 request");
    expect(plural(0, "request")).toBe("0 requests");
    expect(plural(600, "request")).toBe("600 requests");
    expect(plural(2, "key")).toBe("2 keys");
    expect(plural(5000, "request")).toBe("5,000 requests");
    expect(plural(3, "entry", "entries")).toBe("3 entries");
  });

  it("names the usual windows and counts the others", () => {
    expect(`${plural(1, "request")} per ${windowInWords(60)}`).toBe("1 request per minute");
    expect(windowInWords(3600)).toBe("hour");
    expect(windowInWords(90)).toBe("90 seconds");
  });
});
