import { describe, expect, it } from "vitest";
import { readDeprecationSignal } from "./deprecation-signal.ts";

describe("readDeprecationSignal", () => {
  it("reads RFC 9745 Deprecation and RFC 8594 Sunset", () => {
    const signal = readDeprecationSignal(
      new Headers({ deprecation: "@1767225600", sunset: "Fri, 02 Jan 2026 00:00:00 GMT" }),
    );
    expect(signal?.deprecatedAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(signal?.sunsetAt?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
  });

  it("reacts to either header alone and tolerates unreadable values", () => {
    expect(
      readDeprecationSignal(new Headers({ sunset: "Fri, 02 Jan 2026 00:00:00 GMT" }))?.deprecatedAt,
    ).toBeNull();
    expect(readDeprecationSignal(new Headers({ deprecation: "true" }))).toEqual({
      deprecatedAt: null,
      sunsetAt: null,
    });
    expect(readDeprecationSignal(new Headers({ "content-type": "text/plain" }))).toBeNull();
  });
});
