import { describe, expect, it } from "vitest";
import { parseDay } from "./dates.ts";
import { dailyBar, dailyOhlcv, traderGrade, tradingSignal } from "./market-data.ts";
import { seededRandom } from "./prng.ts";

const day = (date: string): number => {
  const parsed = parseDay(date);
  if (parsed === null) throw new Error(`bad date ${date}`);
  return parsed;
};

describe("synthetic market data", () => {
  it("is a pure function of symbol and day", () => {
    const a = dailyOhlcv("ETH", day("2025-01-01"), day("2025-03-31"));
    const b = dailyOhlcv("ETH", day("2025-01-01"), day("2025-03-31"));
    expect(b).toEqual(a);
    expect(a).toHaveLength(90);
    expect(dailyBar("ETH", day("2025-02-10"))).toEqual(a[40]);
    expect(traderGrade("BTC", day("2025-05-05"))).toEqual(traderGrade("BTC", day("2025-05-05")));
    expect(tradingSignal("BTC", day("2025-05-05"))).toEqual(tradingSignal("BTC", day("2025-05-05")));
  });

  it("pins known values so a change to the generator is noticed", () => {
    // Regenerate only on purpose: docs and demos quote these numbers.
    expect(dailyBar("BTC", day("2025-01-01"))).toMatchInlineSnapshot(`
      {
        "close": 50616.36,
        "date": "2025-01-01",
        "high": 51590.7,
        "low": 50267.4,
        "open": 50629.18,
        "volume": 198297,
      }
    `);
  });

  it("joins days up and keeps bars consistent", () => {
    const bars = dailyOhlcv("SOL", day("2024-01-01"), day("2024-12-31"));
    expect(bars).toHaveLength(366);
    for (const [i, bar] of bars.entries()) {
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(bar.low).toBeGreaterThan(0);
      expect(bar.volume).toBeGreaterThan(0);
      const previous = bars[i - 1];
      if (previous) expect(bar.open).toBe(previous.close);
    }
  });

  it("gives different symbols and days different data", () => {
    expect(dailyBar("ETH", day("2025-01-01"))).not.toEqual(dailyBar("BTC", day("2025-01-01")));
    expect(dailyBar("ETH", day("2025-01-01")).close).not.toBe(dailyBar("ETH", day("2025-01-02")).close);
    expect(dailyBar("NEWCOIN", day("2025-01-01")).close).toBeGreaterThan(0);
  });

  it("keeps grades in range and signals consistent with grades", () => {
    for (let d = day("2025-01-01"); d < day("2025-03-01"); d++) {
      const grade = traderGrade("ETH", d);
      expect(grade.traderGrade).toBeGreaterThanOrEqual(0);
      expect(grade.traderGrade).toBeLessThanOrEqual(100);
      const signal = tradingSignal("ETH", d);
      const expected = grade.traderGrade >= 60 ? "bullish" : grade.traderGrade <= 40 ? "bearish" : "neutral";
      expect(signal.signal).toBe(expected);
      expect(signal.strength).toBeGreaterThanOrEqual(0);
      expect(signal.strength).toBeLessThanOrEqual(1);
    }
  });

  it("seeds the PRNG from the seed string only", () => {
    const a = seededRandom("x");
    const b = seededRandom("x");
    const c = seededRandom("y");
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(c()).not.toBe(first[0]);
    expect(parseDay("2024-02-30")).toBeNull();
    expect(parseDay("2024-2-3")).toBeNull();
  });
});
