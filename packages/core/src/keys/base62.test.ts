import { describe, expect, it } from "vitest";
import { BASE62_ALPHABET, base62Digit, encodeBase62Fixed, isBase62Code } from "./base62.ts";

describe("base62", () => {
  it("orders its alphabet by char code, so fixed-width encodings sort like the numbers", () => {
    const codes = [...BASE62_ALPHABET].map((c) => c.charCodeAt(0));
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    const values = [0, 1, 61, 62, 3843, 3844, 2 ** 32 - 1, 56_800_235_583];
    const encoded = values.map((v) => encodeBase62Fixed(v, 6));
    expect(encoded).toEqual([...encoded].sort());
  });

  it.each([
    [0, 6, "000000"],
    [61, 2, "0z"],
    [62, 2, "10"],
    [2 ** 32 - 1, 6, "4gfFC3"],
    [62 ** 6 - 1, 6, "zzzzzz"],
  ])("encodes %d in %d digits as %s", (value, width, expected) => {
    expect(encodeBase62Fixed(value, width)).toBe(expected);
  });

  it("recognises exactly the 62 alphabet codes and decodes each to its index", () => {
    for (let code = 0; code < 0x3000; code++) {
      const index = BASE62_ALPHABET.indexOf(String.fromCharCode(code));
      if (isBase62Code(code) !== index >= 0) throw new Error(`isBase62Code(${code})`);
      if (base62Digit(code) !== index)
        throw new Error(`base62Digit(${code}) = ${base62Digit(code)}, want ${index}`);
    }
  });
});
