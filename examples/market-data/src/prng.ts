/**
 * Deterministic pseudo-random numbers for synthetic market data.
 *
 * The same seed string always yields the same sequence, on every machine and
 * every run: the demo must answer identically so tests, docs and benchmarks
 * can rely on exact values. Not for anything security-related.
 */

/** FNV-1a over UTF-16 code units, 32-bit. Cheap and stable; only used to spread seeds. */
export function hashSeed(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Returns a generator of floats in [0, 1) (mulberry32) seeded from `seed`. */
export function seededRandom(seed: string): () => number {
  let state = hashSeed(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
