import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScriptedRandom, SeededRandom } from "../testing/fake-random.ts";
import { BASE62_ALPHABET } from "./base62.ts";
import { crc32Ascii } from "./crc32.ts";
import { generateKeySecret, KEY_LENGTH, KEY_RANDOM_LENGTH, keyHint, parseKeySecret } from "./key-format.ts";

const KEY_SHAPE = /^kg_(live|test)_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/;

/** Every character a typo or a tampered key could put in one position. */
const REPLACEMENTS = [...BASE62_ALPHABET, "_", "-", " ", ".", "é", "\u0000", "\u{1F511}"];

function replaceAt(text: string, index: number, replacement: string): string {
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("generateKeySecret", () => {
  it.each(["live", "test"] as const)("makes a %s key that parses back with its env", (env) => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 200; i++) {
      const secret = generateKeySecret(random, env);
      expect(secret).toMatch(KEY_SHAPE);
      expect(secret).toHaveLength(KEY_LENGTH);
      expect(secret.startsWith(`kg_${env}_`)).toBe(true);
      expect(parseKeySecret(secret)).toEqual({ ok: true, env });
    }
  });

  it("carries at least 190 bits: 32 symbols drawn from 62", () => {
    expect(KEY_RANDOM_LENGTH).toBe(32);
    expect(BASE62_ALPHABET).toHaveLength(62);
    expect(new Set(BASE62_ALPHABET).size).toBe(62);
    expect(KEY_RANDOM_LENGTH * Math.log2(BASE62_ALPHABET.length)).toBeGreaterThanOrEqual(190);
  });

  it("uses only base62 in the random part and the checksum", () => {
    const random = new SeededRandom(42);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const secret = generateKeySecret(random, "live");
      for (const char of secret.slice(8, 40) + secret.slice(41)) {
        expect(BASE62_ALPHABET).toContain(char);
        seen.add(char);
      }
    }
    // 500 keys draw 16,000 symbols: every symbol of the alphabet shows up.
    expect(seen.size).toBe(62);
  });

  it("differs for different random streams and repeats for the same one", () => {
    const a = generateKeySecret(new SeededRandom(1), "live");
    const b = generateKeySecret(new SeededRandom(2), "live");
    expect(a).not.toBe(b);
    expect(generateKeySecret(new SeededRandom(1), "live")).toBe(a);
  });

  it("skips bytes 248..255 (rejection sampling) instead of folding them onto the first symbols", () => {
    // Eight rejected bytes before every accepted one; accepted ones spell 0..31.
    const script: number[] = [];
    for (let i = 0; i < KEY_RANDOM_LENGTH; i++) script.push(248, 249, 250, 251, 252, 253, 254, 255, i);
    const secret = generateKeySecret(new ScriptedRandom(script), "test");
    expect(secret.slice(8, 40)).toBe(BASE62_ALPHABET.slice(0, 32));
    // 248 % 62 === 0: a modulo without rejection would have produced "0", "1", … from them.
    expect(parseKeySecret(secret).ok).toBe(true);
  });

  it("keeps asking for bytes while the source returns only rejected values", () => {
    const script = [...new Array<number>(48 * 3).fill(255), ...new Array<number>(48).fill(61)];
    const random = new ScriptedRandom(script);
    const secret = generateKeySecret(random, "live");
    expect(secret.slice(8, 40)).toBe("z".repeat(32));
    expect(random.requests.length).toBe(4);
  });

  it("maps the 248 accepted byte values onto each symbol exactly 4 times (no modulo bias)", () => {
    const sources = new Map<string, number[]>();
    for (let byte = 0; byte < 256; byte++) {
      // A source stuck on one byte value shows which symbol that value becomes;
      // a rejected value would loop forever, so those alternate with an accepted 61 ("z"): 248..255 would map to "0".."7".
      const random = new ScriptedRandom(byte < 248 ? [byte] : [byte, 61]);
      const body = generateKeySecret(random, "live").slice(8, 40);
      if (byte >= 248) {
        expect(body).toBe("z".repeat(32));
        continue;
      }
      const symbol = body.charAt(0);
      expect(body).toBe(symbol.repeat(32));
      sources.set(symbol, [...(sources.get(symbol) ?? []), byte]);
    }
    expect(sources.size).toBe(62);
    for (const bytes of sources.values()) expect(bytes).toHaveLength(4);
  });
});

describe("parseKeySecret", () => {
  const live = generateKeySecret(new SeededRandom(99), "live");
  const test = generateKeySecret(new SeededRandom(100), "test");

  it.each([
    ["live", live],
    ["test", test],
  ])("rejects every single-character change to a valid %s key", (_env, secret) => {
    let tried = 0;
    for (let i = 0; i < secret.length; i++) {
      for (const replacement of REPLACEMENTS) {
        if (replacement === secret[i]) continue;
        const changed = replaceAt(secret, i, replacement);
        tried++;
        if (parseKeySecret(changed).ok)
          throw new Error(`accepted ${JSON.stringify(changed)} (position ${i})`);
      }
    }
    expect(tried).toBeGreaterThan(47 * 60);
  });

  it("rejects single-character changes to any generated key (property)", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom("live" as const, "test" as const),
        fc.nat({ max: KEY_LENGTH - 1 }),
        fc.constantFrom(...REPLACEMENTS),
        (seed, env, index, replacement) => {
          const secret = generateKeySecret(new SeededRandom(seed), env);
          fc.pre(secret[index] !== replacement);
          return !parseKeySecret(replaceAt(secret, index, replacement)).ok;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("rejects a checksum that is right for another key", () => {
    const other = generateKeySecret(new SeededRandom(5), "live");
    expect(parseKeySecret(live.slice(0, 41) + other.slice(41)).ok).toBe(false);
  });

  it("rejects a swapped env even with the checksum recomputed for the old env", () => {
    expect(parseKeySecret(`kg_test${live.slice(7)}`).ok).toBe(false);
  });

  it("accepts a hand-built key whose checksum is recomputed, so the checksum is the only guard", () => {
    const head = `kg_live_${"A".repeat(32)}`;
    const checksum = crc32Ascii(head);
    let digits = "";
    let rest = checksum;
    for (let i = 0; i < 6; i++) {
      digits = BASE62_ALPHABET.charAt(rest % 62) + digits;
      rest = Math.floor(rest / 62);
    }
    expect(parseKeySecret(`${head}_${digits}`)).toEqual({ ok: true, env: "live" });
  });

  it.each([
    ["empty", ""],
    ["one short", live.slice(0, -1)],
    ["one long", `${live}0`],
    ["doubled", live + live],
    ["leading space", ` ${live}`],
    ["trailing newline", `${live}\n`],
    ["upper-case prefix", `KG${live.slice(2)}`],
    ["other prefix", `gh${live.slice(2)}`],
    ["unknown env", `kg_prod${live.slice(7)}`],
    ["upper-case env", `kg_LIVE${live.slice(7)}`],
    ["dash for first underscore", `kg-${live.slice(3)}`],
    ["dash for env underscore", `${live.slice(0, 7)}-${live.slice(8)}`],
    ["dash for checksum underscore", `${live.slice(0, 40)}-${live.slice(41)}`],
    ["underscore shifted left", `${live.slice(0, 39)}_${live[39]}${live.slice(41)}`],
    ["underscore shifted right", `${live.slice(0, 40)}${live[41]}_${live.slice(42)}`],
    ["no underscores", live.replaceAll("_", "0")],
    ["underscore inside the random part", replaceAt(live, 20, "_")],
    ["bearer prefix kept", `Bearer ${live}`.slice(0, 47)],
  ])("rejects %s", (_name, candidate) => {
    expect(parseKeySecret(candidate).ok).toBe(false);
  });

  it.each([
    ["accented letter", replaceAt(live, 10, "é")],
    ["emoji (two UTF-16 units, same length)", `${live.slice(0, 10)}\u{1F511}${live.slice(12)}`],
    ["emoji appended", `${live}\u{1F511}`],
    ["full-width digit", replaceAt(live, 42, "０")],
    ["Cyrillic look-alike", replaceAt(live, 0, "к")],
    ["zero-width space", `${live.slice(0, 46)}\u200b`],
    ["NUL", replaceAt(live, 30, "\u0000")],
  ])("rejects non-ASCII input: %s", (_name, candidate) => {
    expect(parseKeySecret(candidate).ok).toBe(false);
  });

  it("never accepts arbitrary strings, and never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (text) => {
        const parsed = parseKeySecret(text);
        return !parsed.ok || KEY_SHAPE.test(text);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^kg_(live|test)_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/), (text) => {
        // Right shape, random checksum: accepted only when the checksum happens to match.
        const parsed = parseKeySecret(text);
        const expectedValid = crc32Ascii(text, 40) === decodeBase62(text.slice(41));
        return parsed.ok === expectedValid;
      }),
      { numRuns: 2000 },
    );
  });
});

function decodeBase62(digits: string): number {
  let value = 0;
  for (const digit of digits) value = value * 62 + BASE62_ALPHABET.indexOf(digit);
  return value;
}

describe("keyHint", () => {
  it("shows the 12-character prefix and the last 4, never enough to use", () => {
    const secret = generateKeySecret(new SeededRandom(3), "live");
    const hint = keyHint(secret);
    expect(hint).toBe(`${secret.slice(0, 12)}…${secret.slice(-4)}`);
    expect(hint.startsWith("kg_live_")).toBe(true);
    // 4 random chars up front and the 4 last checksum/random chars: 28 of the 32 random symbols stay hidden.
    expect(hint).not.toContain(secret.slice(12, 40));
    expect(parseKeySecret(hint).ok).toBe(false);
  });
});
