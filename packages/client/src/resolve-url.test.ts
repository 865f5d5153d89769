import { describe, expect, it } from "vitest";
import { keyHint } from "./key-shape.ts";
import { resolveRequestUrl } from "./resolve-url.ts";

describe("resolveRequestUrl", () => {
  const base = new URL("https://api.example.com/gw");

  it("joins paths to the base path", () => {
    expect(resolveRequestUrl("/v2/x?a=1", base).href).toBe("https://api.example.com/gw/v2/x?a=1");
    expect(resolveRequestUrl("v2/x", base).href).toBe("https://api.example.com/gw/v2/x");
    expect(resolveRequestUrl("/v2/x", new URL("http://h:8080")).href).toBe("http://h:8080/v2/x");
    expect(resolveRequestUrl("https://api.example.com/other", base).href).toBe(
      "https://api.example.com/other",
    );
  });

  it("refuses other origins, including another port or scheme", () => {
    for (const input of [
      "https://evil.example.com/",
      "http://api.example.com/",
      "https://api.example.com:8443/",
    ]) {
      expect(() => resolveRequestUrl(input, base)).toThrow(/refusing to send the API key/);
    }
  });
});

describe("keyHint", () => {
  it("shows the first 12 and last 4 characters only", () => {
    const secret = "kg_live_abcdefghijklmnopqrstuvwxyz012345_ABCDEF";
    expect(keyHint(secret)).toBe("kg_live_abcd…CDEF");
    expect(keyHint("short")).toBe("shor…");
  });
});
