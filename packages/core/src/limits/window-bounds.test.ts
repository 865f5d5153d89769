import { describe, expect, it } from "vitest";
import { quotaPeriod, rateWindow, secondsUntil } from "./window-bounds.ts";

const at = (iso: string) => Date.parse(iso);

describe("rateWindow", () => {
  it("aligns fixed windows to the epoch, so every node computes the same one", () => {
    expect(rateWindow(at("2026-03-04T10:15:42.123Z"), 60)).toEqual({
      start: at("2026-03-04T10:15:00Z"),
      end: at("2026-03-04T10:16:00Z"),
    });
    expect(rateWindow(at("2026-03-04T10:15:42Z"), 3600)).toEqual({
      start: at("2026-03-04T10:00:00Z"),
      end: at("2026-03-04T11:00:00Z"),
    });
  });

  it("puts a boundary instant in the window it opens", () => {
    const w = rateWindow(at("2026-03-04T10:16:00Z"), 60);
    expect(w.start).toBe(at("2026-03-04T10:16:00Z"));
    expect(rateWindow(w.start - 1, 60).end).toBe(w.start);
  });
});

describe("quotaPeriod", () => {
  it("is the UTC calendar day", () => {
    expect(quotaPeriod(at("2026-03-04T23:59:59.999Z"), "day")).toEqual({
      start: at("2026-03-04T00:00:00Z"),
      end: at("2026-03-05T00:00:00Z"),
    });
  });

  it("is the UTC calendar month, of whatever length, across a year end", () => {
    expect(quotaPeriod(at("2028-02-29T12:00:00Z"), "month")).toEqual({
      start: at("2028-02-01T00:00:00Z"),
      end: at("2028-03-01T00:00:00Z"),
    });
    expect(quotaPeriod(at("2026-12-31T23:59:59Z"), "month")).toEqual({
      start: at("2026-12-01T00:00:00Z"),
      end: at("2027-01-01T00:00:00Z"),
    });
    expect(quotaPeriod(at("2027-01-01T00:00:00Z"), "month").start).toBe(at("2027-01-01T00:00:00Z"));
  });

  it("ignores the local time zone", () => {
    // 2026-03-04T23:30 UTC is already the 5th in UTC+1, still the 4th in UTC.
    expect(quotaPeriod(at("2026-03-04T23:30:00+00:00"), "day").start).toBe(at("2026-03-04T00:00:00Z"));
  });
});

describe("secondsUntil", () => {
  it("rounds up and never goes negative", () => {
    expect(secondsUntil(10_001, 0)).toBe(11);
    expect(secondsUntil(10_000, 0)).toBe(10);
    expect(secondsUntil(0, 5)).toBe(0);
  });
});
