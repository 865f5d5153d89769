import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { type DigestEntry, DigestTable } from "../../src/verify/digest-table.ts";

const FOREVER = Number.MAX_SAFE_INTEGER;

function hashOf(n: number): string {
  return nodeHasher.sha256Hex(`secret-${n}`);
}

function entry(n: number, consumer = n % 3): DigestEntry {
  return {
    keyId: `key_${n}`,
    consumerId: `con_${consumer}`,
    status: n % 2 === 0 ? "active" : "deprecated",
    expiresAt: n % 5 === 0 ? null : 1_000 + n,
    deprecatedAt: n % 2 === 0 ? null : 500 + n,
    sunsetAt: n % 2 === 0 ? null : 2_000 + n,
    scopes: n % 4 === 0 ? [] : ["read", `s${n % 3}`],
    consumerDisabled: n % 7 === 0,
    plan: n % 2 === 0 ? "pro" : null,
    allowedIps: null,
  };
}

function readBack(table: DigestTable, row: number): DigestEntry {
  return {
    keyId: table.keyId(row),
    consumerId: table.consumerId(row),
    status: table.status(row),
    expiresAt: table.expiresAt(row),
    deprecatedAt: table.deprecatedAt(row),
    sunsetAt: table.sunsetAt(row),
    scopes: table.scopes(row),
    consumerDisabled: table.consumerDisabled(row),
    plan: table.plan(row),
    allowedIps: null,
  };
}

describe("DigestTable", () => {
  it("stores and reads back every column, and knows nothing else", () => {
    const table = new DigestTable({ capacity: 100, initialRows: 4 });
    for (let n = 0; n < 50; n++) table.setPositive(hashOf(n), entry(n), FOREVER, 0);
    expect(table.size).toBe(50);
    for (let n = 0; n < 50; n++) {
      const row = table.find(hashOf(n));
      expect(row).toBeGreaterThanOrEqual(0);
      expect(readBack(table, row)).toEqual(entry(n));
      expect(table.isNegative(row)).toBe(false);
    }
    expect(table.find(hashOf(50))).toBe(-1);
    expect(table.find("not a digest")).toBe(-1);
    expect(table.find("z".repeat(64))).toBe(-1);
  });

  it("finds an entry by the latin1 form of its digest as by the hex form", () => {
    const table = new DigestTable({ capacity: 10 });
    const secret = "kg_live_example";
    table.setPositive(nodeHasher.sha256Hex(secret), entry(1), FOREVER, 0);
    const latin1 = nodeHasher.sha256Latin1?.(secret) ?? "";
    expect(latin1).toHaveLength(32);
    expect(Buffer.from(latin1, "latin1").toString("hex")).toBe(nodeHasher.sha256Hex(secret));
    expect(table.findLatin1(latin1)).toBe(table.find(nodeHasher.sha256Hex(secret)));
    expect(table.findLatin1(nodeHasher.sha256Latin1?.("other") ?? "")).toBe(-1);
    expect(table.findLatin1("short")).toBe(-1);
  });

  it("rejects a malformed digest on insert", () => {
    const table = new DigestTable({ capacity: 10 });
    expect(() => table.setPositive("abc", entry(1), FOREVER, 0)).toThrow(RangeError);
    expect(() => table.setNegative("g".repeat(64), FOREVER, 0)).toThrow(RangeError);
  });

  it("matches a Map model under random inserts and deletes (heavy probing, backward-shift deletion)", () => {
    const op = fc.oneof(
      fc.record({ type: fc.constant("put" as const), n: fc.integer({ min: 0, max: 80 }) }),
      fc.record({ type: fc.constant("negative" as const), n: fc.integer({ min: 0, max: 80 }) }),
      fc.record({ type: fc.constant("deleteHash" as const), n: fc.integer({ min: 0, max: 80 }) }),
      fc.record({ type: fc.constant("deleteKey" as const), n: fc.integer({ min: 0, max: 80 }) }),
      fc.record({ type: fc.constant("deleteConsumer" as const), n: fc.integer({ min: 0, max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        // Capacity above the key space: nothing is evicted, so the table must equal the model.
        const table = new DigestTable({ capacity: 128, negativeCapacity: 128, initialRows: 2 });
        const model = new Map<number, DigestEntry | "negative">();
        for (const { type, n } of ops) {
          if (type === "put") {
            table.setPositive(hashOf(n), entry(n), FOREVER, 0);
            model.set(n, entry(n));
          } else if (type === "negative") {
            table.setNegative(hashOf(n), FOREVER, 0);
            model.set(n, "negative");
          } else if (type === "deleteHash") {
            expect(table.deleteByHash(hashOf(n))).toBe(model.delete(n));
          } else if (type === "deleteKey") {
            const known = model.get(n);
            expect(table.deleteByKeyId(`key_${n}`)).toBe(known !== undefined && known !== "negative");
            if (known !== "negative") model.delete(n);
          } else {
            for (const [m, value] of model) {
              if (value !== "negative" && value.consumerId === `con_${n}`) model.delete(m);
            }
            table.deleteByConsumerId(`con_${n}`);
          }
        }
        expect(table.size).toBe(model.size);
        expect(table.negativeSize).toBe([...model.values()].filter((v) => v === "negative").length);
        for (let n = 0; n <= 80; n++) {
          const row = table.find(hashOf(n));
          const expected = model.get(n);
          if (expected === undefined) expect(row).toBe(-1);
          else if (expected === "negative") expect(table.isNegative(row)).toBe(true);
          else expect(readBack(table, row)).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("replaces an entry when the same key id comes back under another hash", () => {
    const table = new DigestTable({ capacity: 10 });
    table.setPositive(hashOf(1), entry(1), FOREVER, 0);
    table.setPositive(hashOf(2), { ...entry(2), keyId: "key_1" }, FOREVER, 0);
    expect(table.find(hashOf(1))).toBe(-1);
    expect(table.size).toBe(1);
    expect(table.deleteByKeyId("key_1")).toBe(true);
    expect(table.size).toBe(0);
  });

  it("evicts to stay within capacity, sparing recently hit entries", () => {
    const table = new DigestTable({ capacity: 8, initialRows: 8 });
    for (let n = 0; n < 8; n++) table.setPositive(hashOf(n), entry(n), FOREVER, 0);
    // Every entry was just written: the CLOCK hand clears all reference bits, wraps, and evicts entry 0.
    table.setPositive(hashOf(100), entry(100), FOREVER, 0);
    expect(table.find(hashOf(0))).toBe(-1);
    // Hits mark 1-4 as recently used; the next three inserts evict 5-7, not them.
    for (let n = 1; n <= 4; n++) table.find(hashOf(n));
    for (let n = 101; n < 104; n++) table.setPositive(hashOf(n), entry(n), FOREVER, 0);
    expect(table.size).toBe(8);
    expect(table.evictions).toBe(4);
    for (let n = 5; n < 8; n++) expect(table.find(hashOf(n))).toBe(-1);
    for (let n = 1; n <= 4; n++) expect(table.find(hashOf(n))).toBeGreaterThanOrEqual(0);
    for (let n = 100; n < 104; n++) expect(table.find(hashOf(n))).toBeGreaterThanOrEqual(0);
  });

  it("evicts expired entries first", () => {
    const table = new DigestTable({ capacity: 4, initialRows: 4 });
    for (let n = 0; n < 4; n++) table.setPositive(hashOf(n), entry(n), n === 2 ? 10 : FOREVER, 0);
    table.setPositive(hashOf(9), entry(9), FOREVER, 20);
    expect(table.find(hashOf(2))).toBe(-1);
    for (const n of [0, 1, 3, 9]) expect(table.find(hashOf(n))).toBeGreaterThanOrEqual(0);
  });

  it("caps negative entries so unknown keys cannot flush real ones", () => {
    const table = new DigestTable({ capacity: 100, negativeCapacity: 3 });
    table.setPositive(hashOf(0), entry(0), FOREVER, 0);
    const cached = [1, 2, 3, 4, 5].map((n) => table.setNegative(hashOf(n), FOREVER, 0));
    expect(cached).toEqual([true, true, true, false, false]);
    expect(table.negativeSize).toBe(3);
    // A negative entry turning positive gives its budget back.
    table.setPositive(hashOf(1), entry(1), FOREVER, 0);
    expect(table.negativeSize).toBe(2);
    expect(table.setNegative(hashOf(4), FOREVER, 0)).toBe(true);
  });

  it("drops a consumer's entries in any order of insertion and removal", () => {
    const table = new DigestTable({ capacity: 100 });
    for (let n = 0; n < 30; n++) table.setPositive(hashOf(n), entry(n, n % 2), FOREVER, 0);
    table.deleteByKeyId("key_4");
    table.deleteByKeyId("key_28");
    expect(table.deleteByConsumerId("con_0")).toBe(13);
    expect(table.deleteByConsumerId("con_0")).toBe(0);
    expect(table.size).toBe(15);
    for (let n = 1; n < 30; n += 2) expect(table.find(hashOf(n))).toBeGreaterThanOrEqual(0);
  });

  it("clear() empties everything and the table stays usable", () => {
    const table = new DigestTable({ capacity: 16, initialRows: 2 });
    for (let n = 0; n < 16; n++) table.setPositive(hashOf(n), entry(n), FOREVER, 0);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.find(hashOf(3))).toBe(-1);
    expect(table.deleteByConsumerId("con_1")).toBe(0);
    for (let n = 0; n < 16; n++) table.setPositive(hashOf(n), entry(n), FOREVER, 0);
    expect(table.evictions).toBe(0);
    expect(readBack(table, table.find(hashOf(7)))).toEqual(entry(7));
  });
});
