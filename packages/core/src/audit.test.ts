import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUDIT_CHAIN_START, auditEntryHash, canonicalJson, GENESIS_HASH, verifyAuditChain } from "./audit.ts";
import type { AuditEntry, AuditInput } from "./model.ts";
import type { Hasher } from "./ports.ts";

/** Tests only: core itself never imports node:*. */
const hasher: Hasher = { sha256Hex: (text) => createHash("sha256").update(text, "utf8").digest("hex") };

function input(i: number): AuditInput {
  return {
    at: Date.UTC(2025, 0, 1) + i * 1000,
    actor: { type: "admin", id: "adm_root" },
    action: i % 2 === 0 ? "key.rotate" : "key.revoke",
    targetType: "key",
    targetId: `key_${i}`,
    data: { n: i, nested: { b: [1, { y: 2, x: 1 }], a: "é🔑" } },
  };
}

/** Appends entries the way a store does: seq, then the link to the previous hash. */
function chain(count: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const hash = auditEntryHash(hasher, seq, prevHash, input(seq));
    entries.push({ ...input(seq), seq, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

function at(entries: readonly AuditEntry[], index: number): AuditEntry {
  const entry = entries[index];
  if (!entry) throw new Error(`no entry ${index}`);
  return entry;
}

describe("canonicalJson", () => {
  it("sorts object keys at every depth and has no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("is the same whatever order the keys were inserted in", () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it("keeps array order, escapes strings, and drops undefined members like JSON.stringify", () => {
    expect(canonicalJson([3, 1, 2])).toBe("[3,1,2]");
    expect(canonicalJson({ s: 'a"b\\c\n', u: "é🔑" })).toBe('{"s":"a\\"b\\\\c\\n","u":"é🔑"}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, null])).toBe("[null,null]");
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("hashes the same before and after a JSON round trip through a store (Dates, functions)", () => {
    const data = { when: new Date(Date.UTC(2025, 0, 1)), fn: () => 1, list: [new Date(0)] };
    expect(canonicalJson(data)).toBe(
      '{"list":["1970-01-01T00:00:00.000Z"],"when":"2025-01-01T00:00:00.000Z"}',
    );
    expect(canonicalJson(data)).toBe(canonicalJson(JSON.parse(JSON.stringify(data))));
  });

  it("is deterministic, parses back to the same value, and survives a JSON round trip (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(text);
        expect(text).not.toMatch(/^\s|\s$/);
      }),
      { numRuns: 500 },
    );
  });

  it("does not depend on key insertion order (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
      { numRuns: 300 },
    );
  });
});

describe("auditEntryHash", () => {
  it("is the SHA-256 of the canonical entry including seq and prevHash", () => {
    const expected = hasher.sha256Hex(canonicalJson({ seq: 1, prevHash: GENESIS_HASH, ...input(1) }));
    expect(auditEntryHash(hasher, 1, GENESIS_HASH, input(1))).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with every field", () => {
    const base = auditEntryHash(hasher, 1, GENESIS_HASH, input(1));
    const variants: AuditInput[] = [
      { ...input(1), at: input(1).at + 1 },
      { ...input(1), actor: { type: "system", id: "adm_root" } },
      { ...input(1), action: "key.create" },
      { ...input(1), targetType: "consumer" },
      { ...input(1), targetId: "key_x" },
      { ...input(1), data: { ...input(1).data, n: 2 } },
    ];
    for (const variant of variants) expect(auditEntryHash(hasher, 1, GENESIS_HASH, variant)).not.toBe(base);
    expect(auditEntryHash(hasher, 2, GENESIS_HASH, input(1))).not.toBe(base);
    expect(auditEntryHash(hasher, 1, "f".repeat(64), input(1))).not.toBe(base);
  });

  it("ignores extra fields of a stored entry (seq, prevHash and hash are passed explicitly)", () => {
    const [first] = chain(1);
    if (!first) throw new Error("empty chain");
    expect(auditEntryHash(hasher, first.seq, first.prevHash, first)).toBe(first.hash);
  });
});

describe("verifyAuditChain", () => {
  it("accepts an intact chain and reports its length and head", () => {
    const entries = chain(6);
    expect(verifyAuditChain(hasher, entries)).toEqual({
      ok: true,
      entries: 6,
      headHash: at(entries, 5).hash,
    });
  });

  it("accepts an empty log with the genesis head", () => {
    expect(verifyAuditChain(hasher, [])).toEqual({ ok: true, entries: 0, headHash: GENESIS_HASH });
  });

  it("resumes from the last verified position, page by page", () => {
    const entries = chain(6);
    const first = verifyAuditChain(hasher, entries.slice(0, 3), AUDIT_CHAIN_START);
    expect(first).toMatchObject({ ok: true, entries: 3 });
    const second = verifyAuditChain(hasher, entries.slice(3), { seq: 3, hash: at(entries, 2).hash });
    expect(second).toEqual({ ok: true, entries: 3, headHash: at(entries, 5).hash });
    expect(verifyAuditChain(hasher, entries.slice(3), { seq: 3, hash: GENESIS_HASH })).toEqual({
      ok: false,
      seq: 4,
      problem: "broken_link",
    });
  });

  it.each<[string, (e: AuditEntry) => AuditEntry]>([
    ["data", (e) => ({ ...e, data: { ...e.data, n: 999 } })],
    ["action", (e) => ({ ...e, action: "key.create" })],
    ["time", (e) => ({ ...e, at: e.at + 1 })],
    ["actor", (e) => ({ ...e, actor: { type: "system", id: "job" } })],
    ["target", (e) => ({ ...e, targetId: "key_other" })],
    ["hash", (e) => ({ ...e, hash: "0".repeat(64) })],
  ])("names an entry whose %s was edited", (_field, edit) => {
    const entries = chain(5);
    entries[2] = edit(at(entries, 2));
    expect(verifyAuditChain(hasher, entries)).toEqual({ ok: false, seq: 3, problem: "edited" });
  });

  it("catches an edit whose own hash was recomputed, at the next link", () => {
    const entries = chain(5);
    const edited = { ...at(entries, 2), action: "key.create" };
    entries[2] = { ...edited, hash: auditEntryHash(hasher, edited.seq, edited.prevHash, edited) };
    expect(verifyAuditChain(hasher, entries)).toEqual({ ok: false, seq: 4, problem: "broken_link" });
  });

  it("catches an edited last entry only through its hash (nothing links to it yet)", () => {
    const entries = chain(3);
    entries[2] = { ...at(entries, 2), data: {} };
    expect(verifyAuditChain(hasher, entries)).toEqual({ ok: false, seq: 3, problem: "edited" });
  });

  it.each([0, 2, 3])("names a deleted entry (index %d) as missing", (index) => {
    const entries = chain(5);
    entries.splice(index, 1);
    expect(verifyAuditChain(hasher, entries)).toEqual({ ok: false, seq: index + 1, problem: "missing" });
  });

  it("cannot see a truncated tail by itself: the head hash it returns must be compared with the stored head", () => {
    const entries = chain(5);
    const verdict = verifyAuditChain(hasher, entries.slice(0, 4));
    expect(verdict).toEqual({ ok: true, entries: 4, headHash: at(entries, 3).hash });
    expect(verdict.ok && verdict.headHash).not.toBe(at(entries, 4).hash);
  });

  it("names a deleted entry whose successors were renumbered and relinked by hash as a broken link", () => {
    const entries = chain(5);
    entries.splice(2, 1);
    // Renumber 4, 5 → 3, 4, keep their (now wrong) prevHash links.
    const renumbered = entries.map((e, i) => ({ ...e, seq: i + 1 }));
    expect(verifyAuditChain(hasher, renumbered)).toEqual({ ok: false, seq: 3, problem: "broken_link" });
  });

  it("names the first of two swapped entries as reordered", () => {
    const entries = chain(5);
    [entries[1], entries[2]] = [at(entries, 2), at(entries, 1)];
    expect(verifyAuditChain(hasher, entries)).toEqual({ ok: false, seq: 2, problem: "reordered" });
  });

  it("names an entry moved to the end as reordered, and a replayed one too", () => {
    const entries = chain(5);
    const moved = [...entries.slice(0, 1), ...entries.slice(2), at(entries, 1)];
    expect(verifyAuditChain(hasher, moved)).toEqual({ ok: false, seq: 2, problem: "reordered" });
    const replayed = [...entries, at(entries, 1)];
    expect(verifyAuditChain(hasher, replayed)).toEqual({ ok: false, seq: 6, problem: "reordered" });
  });

  it("names a chain that does not start at seq 1 or at the genesis hash", () => {
    const entries = chain(3);
    expect(verifyAuditChain(hasher, entries.slice(1))).toEqual({ ok: false, seq: 1, problem: "missing" });
    entries[0] = { ...at(entries, 0), prevHash: "1".repeat(64) };
    expect(verifyAuditChain(hasher, entries)).toEqual({ ok: false, seq: 1, problem: "broken_link" });
  });

  it("reports the first bad entry when several are tampered with", () => {
    const entries = chain(8);
    entries[5] = { ...at(entries, 5), data: {} };
    entries[2] = { ...at(entries, 2), data: {} };
    entries.splice(6, 1);
    expect(verifyAuditChain(hasher, entries)).toMatchObject({ ok: false, seq: 3 });
  });

  it("detects any single-field edit anywhere in a chain (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(), fc.string(), (length, where, text) => {
        const entries = chain(length);
        const index = where % length;
        const target = at(entries, index);
        fc.pre(target.targetId !== text);
        entries[index] = { ...target, targetId: text };
        expect(verifyAuditChain(hasher, entries)).toEqual({ ok: false, seq: index + 1, problem: "edited" });
      }),
      { numRuns: 200 },
    );
  });
});
