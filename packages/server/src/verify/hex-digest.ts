/**
 * Parsing of lower- or upper-case hex SHA-256 digests into eight 32-bit words,
 * without allocating: the digest table compares words, not strings.
 */
export const DIGEST_WORDS = 8;
const DIGEST_HEX_LENGTH = 64;

/** Nibble value of each ASCII code, -1 for non-hex characters. */
const NIBBLE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[65 + i] = 10 + i;
    table[97 + i] = 10 + i;
  }
  return table;
})();

/**
 * Writes the digest's words into `out` at `offset`. Returns false (leaving
 * `out` partly written) when `hex` is not 64 hex characters.
 */
export function parseHexDigest(hex: string, out: Uint32Array, offset: number): boolean {
  if (hex.length !== DIGEST_HEX_LENGTH) return false;
  for (let i = 0; i < DIGEST_HEX_LENGTH; i++) {
    const code = hex.charCodeAt(i);
    if (code >= 128 || (NIBBLE[code] ?? -1) < 0) return false;
  }
  readHexDigest(hex, out, offset);
  return true;
}

/**
 * The unchecked, branch-free twin of `parseHexDigest` for lookups: `hex`
 * must be 64 characters. A non-hex character yields words no valid digest
 * has, so a lookup with garbage simply finds nothing.
 */
export function readHexDigest(hex: string, out: Uint32Array, offset: number): void {
  for (let w = 0; w < DIGEST_WORDS; w++) {
    let word = 0;
    const base = w * 8;
    for (let i = 0; i < 8; i++) {
      const code = hex.charCodeAt(base + i);
      // '0'-'9' → 0-9; 'a'-'f' and 'A'-'F' → 10-15 (bit 6 is set for letters only).
      word = (word << 4) | ((code & 0xf) + (code >> 6) * 9);
    }
    out[offset + w] = word >>> 0;
  }
}

/**
 * Reads a digest given as 32 latin1 characters (one per byte, as
 * `crypto.hash(…, "latin1")` returns it) into the same words `parseHexDigest`
 * yields for its hex form. `digest` must be 32 characters.
 */
export function readLatin1Digest(digest: string, out: Uint32Array, offset: number): void {
  for (let w = 0; w < DIGEST_WORDS; w++) {
    const base = w * 4;
    out[offset + w] =
      ((digest.charCodeAt(base) << 24) |
        (digest.charCodeAt(base + 1) << 16) |
        (digest.charCodeAt(base + 2) << 8) |
        digest.charCodeAt(base + 3)) >>>
      0;
  }
}

/** The hex form of a latin1 digest (used on cache misses only: the store is keyed by hex). */
export function latin1DigestToHex(digest: string): string {
  return Buffer.from(digest, "latin1").toString("hex");
}

/** murmur3's 32-bit finalizer: a cheap, well-mixing bijection. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The table position hash of a digest. SHA-256 output is uniform, but anyone
 * can mint well-formed keys offline and keep those whose digests share low
 * bits, so the slot is derived from two words mixed with a per-process secret
 * seed: clustering entries then needs 64-bit digest collisions.
 */
export function slotHash(words: Uint32Array, offset: number, seed0: number, seed1: number): number {
  return (
    (fmix32(((words[offset] ?? 0) ^ seed0) >>> 0) ^ fmix32(((words[offset + 1] ?? 0) ^ seed1) >>> 0)) >>> 0
  );
}
