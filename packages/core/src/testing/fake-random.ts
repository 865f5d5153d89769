import type { Random } from "../ports.ts";

/**
 * Test-only `Random` ports. Deterministic so that a failing test replays
 * exactly; never exported from the package entry point.
 */

/** Seeded PRNG (mulberry32): the same seed yields the same byte stream. */
export class SeededRandom implements Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.#next() & 0xff;
    return out;
  }

  #next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/**
 * Replays `script` byte by byte, cycling when it runs out, whatever length is
 * asked for. Records every request so a test can see how much was drawn.
 */
export class ScriptedRandom implements Random {
  readonly #script: readonly number[];
  #position = 0;
  readonly requests: number[] = [];

  constructor(script: readonly number[]) {
    if (script.length === 0) throw new Error("ScriptedRandom needs at least one byte");
    this.#script = script;
  }

  bytes(length: number): Uint8Array {
    this.requests.push(length);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = this.#script[this.#position % this.#script.length] ?? 0;
      this.#position++;
    }
    return out;
  }

  /** How many bytes have been handed out so far. */
  get drawn(): number {
    return this.#position;
  }
}
