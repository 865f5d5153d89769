import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IdPrefix, newId } from "./ids.ts";
import { ScriptedRandom, SeededRandom } from "./testing/fake-random.ts";

const PREFIXES: IdPrefix[] = ["con", "key", "lin", "rot", "evt", "adm", "whk", "chg", "msg"];
const NOW = Date.UTC(2025, 0, 1);
/** 8 base62 digits of milliseconds last until 62^8 ms ≈ year 8888. */
const MAX_TIME = 62 ** 8 - 1;

describe("newId", () => {
  it.each(PREFIXES)("%s ids are prefix, underscore, 8 time + 14 random base62 chars", (prefix) => {
    const id = newId(prefix, NOW, new SeededRandom(1));
    expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{22}$`));
    expect(id).toHaveLength(prefix.length + 1 + 22);
  });

  it("differs between calls in the same millisecond", () => {
    const random = new SeededRandom(9);
    const ids = new Set(Array.from({ length: 1000 }, () => newId("key", NOW, random)));
    expect(ids.size).toBe(1000);
  });

  it("sorts by creation time as a plain string, across digit, upper- and lower-case boundaries", () => {
    const random = new SeededRandom(3);
    const times = [0, 9, 10, 35, 36, 61, 62, NOW - 1, NOW, NOW + 1, NOW + 86_400_000, MAX_TIME];
    const ids = times.map((t) => newId("evt", t, random));
    expect([...ids].sort()).toEqual(ids);
  });

  it("orders any two ids from different milliseconds by time, whatever the random part (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_TIME }),
        fc.integer({ min: 0, max: MAX_TIME }),
        fc.integer(),
        (a, b, seed) => {
          fc.pre(a !== b);
          const random = new SeededRandom(seed);
          const [idA, idB] = [newId("rot", a, random), newId("rot", b, random)];
          return a < b ? idA < idB : idA > idB;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("draws the random part by rejection sampling: bytes 248..255 are skipped", () => {
    const script = [248, 249, 250, 251, 252, 253, 254, 255, 61];
    const id = newId("key", NOW, new ScriptedRandom(script));
    expect(id.slice(-14)).toBe("z".repeat(14));
  });
});
