import type { KeyStatus } from "@keygate/core";
import { DIGEST_WORDS, parseHexDigest, readHexDigest, readLatin1Digest, slotHash } from "./hex-digest.ts";
import { Interner } from "./interner.ts";

/** What a positive entry remembers about a key and its consumer. */
export interface DigestEntry {
  readonly keyId: string;
  readonly consumerId: string;
  readonly status: KeyStatus;
  readonly expiresAt: number | null;
  readonly deprecatedAt: number | null;
  readonly sunsetAt: number | null;
  readonly scopes: readonly string[];
  readonly consumerDisabled: boolean;
  /** The consumer's plan name. */
  readonly plan: string | null;
}

export interface DigestTableOptions {
  /** Most entries held (positive and negative). Past it, CLOCK eviction frees a row. Default 1,000,000. */
  readonly capacity?: number | undefined;
  /**
   * Most negative entries held; further unknown hashes are not cached. Keeps
   * a flood of random well-formed keys from evicting real ones. Default capacity / 8.
   */
  readonly negativeCapacity?: number | undefined;
  /** Rows allocated up front; the table doubles up to `capacity` as it fills. Default 1024. */
  readonly initialRows?: number | undefined;
  /** Slot-hash seed; random per process unless given (tests). */
  readonly seed?: readonly [number, number] | undefined;
}

const USED = 1;
const NEGATIVE = 2;
const DISABLED = 4;
/** CLOCK's reference bit: set on every hit, cleared by the sweeping hand. */
const REFERENCED = 8;

const STATUS_CODES: readonly KeyStatus[] = ["active", "deprecated", "expired", "revoked"];
const STATUS_INDEX: Readonly<Record<KeyStatus, number>> = {
  active: 0,
  deprecated: 1,
  expired: 2,
  revoked: 3,
};

/** A consumer's cached rows, as a doubly linked list through the consumerNext/Prev columns. */
interface ConsumerChain {
  /** The one copy of the consumer id every row of the consumer points to. */
  readonly id: string;
  head: number;
}

const NONE = -1;
const INVALID = -2;

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function toColumn(value: number | null): number {
  return value === null ? Number.NaN : value;
}

function fromColumn(value: number | undefined): number | null {
  return value === undefined || Number.isNaN(value) ? null : value;
}

function grow<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(
  old: T,
  make: (n: number) => T,
  n: number,
): T {
  const next = make(n);
  next.set(old);
  return next;
}

/**
 * The verification cache: SHA-256 digest → key fields, in typed arrays.
 *
 * Layout: entries live in dense rows (8 digest words, fixed-width columns for
 * status and timestamps, plain arrays for the few strings), and an
 * open-addressing index with linear probing maps a slot hash to `row + 1`
 * (0 = empty). The index is kept at most half full, so probes are short;
 * deletion shifts followers back instead of leaving tombstones, so lookups
 * never slow down with churn. Rows grow by doubling up to `capacity`; at
 * capacity, a CLOCK hand evicts the first row not hit since its last pass
 * (or whose TTL has run out). A keyId → row map and a per-consumer linked
 * list of rows (two Int32Array columns) make invalidation by key or consumer
 * cost only the rows involved.
 *
 * Timestamps are milliseconds; a null timestamp is stored as NaN.
 */
export class DigestTable {
  readonly #capacity: number;
  readonly #negativeCapacity: number;
  readonly #seed0: number;
  readonly #seed1: number;
  readonly #probe = new Uint32Array(DIGEST_WORDS);
  readonly #scopes = new Interner<readonly string[]>(4096);
  readonly #plans = new Interner<string>(4096);

  #rows = 0;
  #index = new Int32Array(0);
  #words = new Uint32Array(0);
  #slotHash = new Uint32Array(0);
  #flags = new Uint8Array(0);
  #status = new Uint8Array(0);
  #expiresAt = new Float64Array(0);
  #deprecatedAt = new Float64Array(0);
  #sunsetAt = new Float64Array(0);
  #cachedUntil = new Float64Array(0);
  #consumerNext = new Int32Array(0);
  #consumerPrev = new Int32Array(0);
  #free = new Int32Array(0);
  #freeTop = 0;
  #hand = 0;
  #size = 0;
  #negatives = 0;
  #evictions = 0;

  #keyIds: (string | undefined)[] = [];
  #consumerIds: (string | undefined)[] = [];
  #scopeSets: (readonly string[] | undefined)[] = [];
  #planNames: (string | null)[] = [];
  #byKeyId = new Map<string, number>();
  #consumers = new Map<string, ConsumerChain>();

  constructor(options: DigestTableOptions = {}) {
    const capacity = options.capacity ?? 1_000_000;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
    this.#capacity = capacity;
    this.#negativeCapacity = options.negativeCapacity ?? Math.max(1, Math.floor(capacity / 8));
    const seed = options.seed ?? crypto.getRandomValues(new Uint32Array(2));
    this.#seed0 = (seed[0] ?? 0) >>> 0;
    this.#seed1 = (seed[1] ?? 0) >>> 0;
    this.#resize(Math.min(capacity, Math.max(1, options.initialRows ?? 1024)));
  }

  /** Entries held, positive and negative. */
  get size(): number {
    return this.#size;
  }

  get negativeSize(): number {
    return this.#negatives;
  }

  get evictions(): number {
    return this.#evictions;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes held by the typed-array columns and the index (not the strings, maps or arrays). */
  get columnBytes(): number {
    return (
      this.#index.byteLength +
      this.#words.byteLength +
      this.#slotHash.byteLength +
      this.#flags.byteLength +
      this.#status.byteLength +
      this.#expiresAt.byteLength * 4 +
      this.#consumerNext.byteLength * 2 +
      this.#free.byteLength
    );
  }

  /**
   * The row holding `hash`, or -1. Marks the row as recently used. An
   * entry's TTL is the caller's business: check `cachedUntil(row)`.
   */
  find(hash: string): number {
    if (hash.length !== 64) return NONE;
    readHexDigest(hash, this.#probe, 0);
    const row = this.#search();
    if (row < 0) return NONE;
    this.#flags[row] = (this.#flags[row] ?? 0) | REFERENCED;
    return row;
  }

  /** `find` for a digest in latin1 form (32 characters, one per byte): the hot path, no hex decoding. */
  findLatin1(digest: string): number {
    if (digest.length !== 32) return NONE;
    readLatin1Digest(digest, this.#probe, 0);
    const row = this.#search();
    if (row < 0) return NONE;
    this.#flags[row] = (this.#flags[row] ?? 0) | REFERENCED;
    return row;
  }

  /** The row of `hash`, NONE, or INVALID; leaves the parsed digest in #probe. */
  #locate(hash: string): number {
    if (!parseHexDigest(hash, this.#probe, 0)) return INVALID;
    return this.#search();
  }

  /** The row holding the digest in #probe, or NONE. */
  #search(): number {
    const h = slotHash(this.#probe, 0, this.#seed0, this.#seed1);
    const index = this.#index;
    const mask = index.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = index[i] ?? 0;
      if (v === 0) return NONE;
      const row = v - 1;
      if (this.#slotHash[row] === h && this.#sameDigest(row)) return row;
    }
  }

  isNegative(row: number): boolean {
    return ((this.#flags[row] ?? 0) & NEGATIVE) !== 0;
  }

  consumerDisabled(row: number): boolean {
    return ((this.#flags[row] ?? 0) & DISABLED) !== 0;
  }

  cachedUntil(row: number): number {
    return this.#cachedUntil[row] ?? 0;
  }

  status(row: number): KeyStatus {
    return STATUS_CODES[this.#status[row] ?? 0] ?? "active";
  }

  expiresAt(row: number): number | null {
    return fromColumn(this.#expiresAt[row]);
  }

  deprecatedAt(row: number): number | null {
    return fromColumn(this.#deprecatedAt[row]);
  }

  sunsetAt(row: number): number | null {
    return fromColumn(this.#sunsetAt[row]);
  }

  keyId(row: number): string {
    return this.#keyIds[row] ?? "";
  }

  consumerId(row: number): string {
    return this.#consumerIds[row] ?? "";
  }

  scopes(row: number): readonly string[] {
    return this.#scopeSets[row] ?? [];
  }

  plan(row: number): string | null {
    return this.#planNames[row] ?? null;
  }

  /** Caches a found key until `cachedUntil`, replacing any entry for the same hash or key id. */
  setPositive(hash: string, entry: DigestEntry, cachedUntil: number, now: number): void {
    const row = this.#rowFor(hash, now);
    if (row < 0) throw new RangeError("hash is not a hex SHA-256 digest");
    const previous = this.#byKeyId.get(entry.keyId);
    if (previous !== undefined && previous !== row) this.#remove(previous);
    this.#flags[row] = USED | REFERENCED | (entry.consumerDisabled ? DISABLED : 0);
    this.#status[row] = STATUS_INDEX[entry.status];
    this.#expiresAt[row] = toColumn(entry.expiresAt);
    this.#deprecatedAt[row] = toColumn(entry.deprecatedAt);
    this.#sunsetAt[row] = toColumn(entry.sunsetAt);
    this.#cachedUntil[row] = cachedUntil;
    this.#keyIds[row] = entry.keyId;
    this.#scopeSets[row] = this.#scopes.intern(entry.scopes.join("\n"), entry.scopes);
    this.#planNames[row] = entry.plan === null ? null : this.#plans.intern(entry.plan, entry.plan);
    this.#byKeyId.set(entry.keyId, row);
    this.#linkConsumer(row, entry.consumerId);
  }

  /**
   * Caches "no such key" until `cachedUntil`. Returns false, caching nothing,
   * when the negative budget is spent.
   */
  setNegative(hash: string, cachedUntil: number, now: number): boolean {
    const existing = this.#locate(hash);
    if (existing === INVALID) throw new RangeError("hash is not a hex SHA-256 digest");
    if (existing === NONE && this.#negatives >= this.#negativeCapacity) return false;
    const row = existing === NONE ? this.#newRow(now) : existing;
    this.#clearPayload(row);
    this.#flags[row] = USED | NEGATIVE | REFERENCED;
    this.#negatives++;
    this.#cachedUntil[row] = cachedUntil;
    return true;
  }

  deleteByHash(hash: string): boolean {
    const row = this.find(hash);
    if (row === NONE) return false;
    this.#remove(row);
    return true;
  }

  deleteByKeyId(keyId: string): boolean {
    const row = this.#byKeyId.get(keyId);
    if (row === undefined) return false;
    this.#remove(row);
    return true;
  }

  /** Drops every entry of the consumer's keys; returns how many. */
  deleteByConsumerId(consumerId: string): number {
    let removed = 0;
    for (
      let chain = this.#consumers.get(consumerId);
      chain !== undefined;
      chain = this.#consumers.get(consumerId)
    ) {
      this.#remove(chain.head);
      removed++;
    }
    return removed;
  }

  clear(): void {
    this.#index.fill(0);
    this.#flags.fill(0);
    this.#consumerNext.fill(NONE);
    this.#consumerPrev.fill(NONE);
    this.#keyIds = [];
    this.#consumerIds = [];
    this.#scopeSets = [];
    this.#planNames = [];
    this.#byKeyId = new Map();
    this.#consumers = new Map();
    this.#size = 0;
    this.#negatives = 0;
    this.#hand = 0;
    this.#resetFreeList(0);
  }

  #sameDigest(row: number): boolean {
    const words = this.#words;
    const probe = this.#probe;
    const base = row * DIGEST_WORDS;
    for (let w = 0; w < DIGEST_WORDS; w++) if (words[base + w] !== probe[w]) return false;
    return true;
  }

  /** The row for `hash` with its payload cleared: its current one, else a new one; INVALID for a bad digest. */
  #rowFor(hash: string, now: number): number {
    const existing = this.#locate(hash);
    if (existing === INVALID) return INVALID;
    if (existing !== NONE) {
      this.#clearPayload(existing);
      return existing;
    }
    return this.#newRow(now);
  }

  /** A free (possibly just evicted) row for the digest in #probe, entered in the index. */
  #newRow(now: number): number {
    if (this.#freeTop === 0) {
      if (this.#rows < this.#capacity) this.#resize(Math.min(this.#capacity, this.#rows * 2));
      else this.#evictOne(now);
    }
    // #locate() left the parsed digest in #probe; eviction and resizing do not touch it.
    const row = this.#free[--this.#freeTop] ?? 0;
    this.#words.set(this.#probe, row * DIGEST_WORDS);
    const h = slotHash(this.#probe, 0, this.#seed0, this.#seed1);
    this.#slotHash[row] = h;
    this.#flags[row] = USED;
    this.#insertIndex(row, h);
    this.#size++;
    return row;
  }

  #insertIndex(row: number, h: number): void {
    const index = this.#index;
    const mask = index.length - 1;
    let i = h & mask;
    while ((index[i] ?? 0) !== 0) i = (i + 1) & mask;
    index[i] = row + 1;
  }

  /** Drops whatever the row held besides its digest (key payload, consumer link, negative mark). */
  #clearPayload(row: number): void {
    const flags = this.#flags[row] ?? 0;
    if ((flags & NEGATIVE) !== 0) this.#negatives--;
    const keyId = this.#keyIds[row];
    if (keyId !== undefined) {
      if (this.#byKeyId.get(keyId) === row) this.#byKeyId.delete(keyId);
      this.#keyIds[row] = undefined;
    }
    this.#unlinkConsumer(row);
    this.#scopeSets[row] = undefined;
    this.#planNames[row] = null;
    this.#flags[row] = flags & ~(NEGATIVE | DISABLED);
  }

  #remove(row: number): void {
    this.#clearPayload(row);
    this.#deleteIndex(row);
    this.#flags[row] = 0;
    this.#free[this.#freeTop++] = row;
    this.#size--;
  }

  /** Backward-shift deletion: later members of the probe run move up so no run is broken. */
  #deleteIndex(row: number): void {
    const index = this.#index;
    const mask = index.length - 1;
    let hole = (this.#slotHash[row] ?? 0) & mask;
    while ((index[hole] ?? 0) !== row + 1) hole = (hole + 1) & mask;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const v = index[j] ?? 0;
      if (v === 0) break;
      const home = (this.#slotHash[v - 1] ?? 0) & mask;
      // The entry at j may fill the hole only if its home is not cyclically within (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        index[hole] = v;
        hole = j;
      }
    }
    index[hole] = 0;
  }

  #evictOne(now: number): void {
    const rows = this.#rows;
    for (let step = 0; step < rows * 2 + 1; step++) {
      const row = this.#hand;
      this.#hand = row + 1 === rows ? 0 : row + 1;
      const flags = this.#flags[row] ?? 0;
      if ((flags & USED) === 0) continue;
      if ((flags & REFERENCED) !== 0 && (this.#cachedUntil[row] ?? 0) > now) {
        this.#flags[row] = flags & ~REFERENCED;
        continue;
      }
      this.#remove(row);
      this.#evictions++;
      return;
    }
    throw new Error("digest table: no row to evict");
  }

  #linkConsumer(row: number, consumerId: string): void {
    let chain = this.#consumers.get(consumerId);
    if (chain === undefined) {
      chain = { id: consumerId, head: NONE };
      this.#consumers.set(consumerId, chain);
    }
    this.#consumerIds[row] = chain.id;
    this.#consumerPrev[row] = NONE;
    this.#consumerNext[row] = chain.head;
    if (chain.head !== NONE) this.#consumerPrev[chain.head] = row;
    chain.head = row;
  }

  #unlinkConsumer(row: number): void {
    const consumerId = this.#consumerIds[row];
    if (consumerId === undefined) return;
    const prev = this.#consumerPrev[row] ?? NONE;
    const next = this.#consumerNext[row] ?? NONE;
    if (prev === NONE) {
      const chain = this.#consumers.get(consumerId);
      if (chain !== undefined) {
        if (next === NONE) this.#consumers.delete(consumerId);
        else chain.head = next;
      }
    } else {
      this.#consumerNext[prev] = next;
    }
    if (next !== NONE) this.#consumerPrev[next] = prev;
    this.#consumerIds[row] = undefined;
    this.#consumerNext[row] = NONE;
    this.#consumerPrev[row] = NONE;
  }

  #resize(rows: number): void {
    const old = this.#rows;
    this.#rows = rows;
    this.#words = grow(this.#words, (n) => new Uint32Array(n), rows * DIGEST_WORDS);
    this.#slotHash = grow(this.#slotHash, (n) => new Uint32Array(n), rows);
    this.#flags = grow(this.#flags, (n) => new Uint8Array(n), rows);
    this.#status = grow(this.#status, (n) => new Uint8Array(n), rows);
    this.#expiresAt = grow(this.#expiresAt, (n) => new Float64Array(n), rows);
    this.#deprecatedAt = grow(this.#deprecatedAt, (n) => new Float64Array(n), rows);
    this.#sunsetAt = grow(this.#sunsetAt, (n) => new Float64Array(n), rows);
    this.#cachedUntil = grow(this.#cachedUntil, (n) => new Float64Array(n), rows);
    this.#consumerNext = grow(this.#consumerNext, (n) => new Int32Array(n).fill(NONE), rows);
    this.#consumerPrev = grow(this.#consumerPrev, (n) => new Int32Array(n).fill(NONE), rows);
    this.#free = grow(this.#free, (n) => new Int32Array(n), rows);
    // New rows go on the free stack highest first, so rows are handed out in ascending order.
    for (let row = rows - 1; row >= old; row--) this.#free[this.#freeTop++] = row;
    this.#index = new Int32Array(nextPowerOfTwo(rows) * 2);
    for (let row = 0; row < old; row++) {
      if (((this.#flags[row] ?? 0) & USED) !== 0) this.#insertIndex(row, this.#slotHash[row] ?? 0);
    }
  }

  #resetFreeList(from: number): void {
    this.#freeTop = 0;
    for (let row = this.#rows - 1; row >= from; row--) this.#free[this.#freeTop++] = row;
  }
}
