import { describe, expect, it } from "vitest";
import { crc32Ascii } from "./crc32.ts";

describe("crc32Ascii", () => {
  it.each([
    ["123456789", 0xcbf43926],
    ["", 0x00000000],
    ["a", 0xe8b7be43],
    ["abc", 0x352441c2],
    ["The quick brown fox jumps over the lazy dog", 0x414fa339],
  ])("CRC-32(%j) is the IEEE check value", (text, expected) => {
    expect(crc32Ascii(text)).toBe(expected);
  });

  it("hashes only the first `end` characters when asked", () => {
    expect(crc32Ascii("123456789_suffix", 9)).toBe(0xcbf43926);
    expect(crc32Ascii("abc", 0)).toBe(0);
  });

  it("returns an unsigned 32-bit integer", () => {
    for (const text of ["", "x", "kg_live_", "\u007f".repeat(40)]) {
      const value = crc32Ascii(text);
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(2 ** 32);
    }
  });
});
