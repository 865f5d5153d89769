import type { KeyStatus } from "@keygate/core";
import { DIGEST_WORDS, parseHexDigest, readHexDigest, readLatin1Digest, slotHash } from "./hex-digest.ts";
import { Interner } from "./interner.ts";
import { compileAllowlist, type IpAllowlist } from "./ip-allowlist.ts";

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
  /** The key's IP allowlist (canonical CIDRs); null: any address. */
  readonly allowedIps: readonly string[] | null;
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

// Row layout: one ArrayBuffer, 80 bytes per row, seen through Uint32/Int32/Float64
// views, so a hit reads one row's digest, state and timestamps from the same page
// (two cache lines) and then one refs row: about four cache lines, whatever the size.
//   u32  0      slot hash          u32  1–8   digest words      u32 9  state (flags | status << 8)
//   f64  5–8    expiresAt, deprecatedAt, sunsetAt, cachedUntil (NaN = null)
//   i32 18–19   next / previous row of the same consumer
const ROW_BYTES = 80;
const U32 = ROW_BYTES / 4;
const F64 = ROW_BYTES / 8;
const M_SLOT = 0;
const M_DIGEST = 1;
const M_STATE = 9;
const T_EXPIRES = 5;
const T_DEPRECATED = 6;
const T_SUNSET = 7;
const T_CACHED = 8;
const L_NEXT = 18;
const L_PREV = 19;
/** Slots per row in `#refs` (a plain array): keyId, consumerId, scopes, plan, compiled IP allowlist. */
const REFS = 5;
const R_KEY = 0;
const R_CONSUMER = 1;
const R_SCOPES = 2;
const R_PLAN = 3;
const R_ALLOW = 4;

const USED = 1;
const NEGATIVE = 2;
const DISABLED = 4;
/** CLOCK's reference bit: set on every hit, cleared by the sweeping hand. */
const REFERENCED = 8;
const FLAGS_MASK = 0xff;

const STATUS_CODES: readonly KeyStatus[] = ["active", "deprecated", "expired", "revoked"];
const STATUS_INDEX: Readonly<Record<KeyStatus, number>> = {
  active: 0,
  deprecated: 1,
  expired: 2,
  revoked: 3,
};
const NO_SCOPES: readonly string[] = Object.freeze([]);

/** A consumer's cached rows, as a doubly linked list through `#links`. */
interface ConsumerChain {
  /** The one copy of the consumer id every row of the consumer points to. */
  readonly id: string;
  head: number;
}

type Ref = string | readonly string[] | IpAllowlist | null | undefined;

function allowlistOf(interner: Interner<IpAllowlist>, cidrs: readonly string[] | null): IpAllowlist | null {
  if (cidrs === null) return null;
  const identity = cidrs.join(",");
  return interner.intern(identity, compileAllowlist(cidrs));
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

/**
 * The verification cache: SHA-256 digest → key fields, in typed arrays.
 *
 * Entries live in dense rows of fixed-width typed-array columns (digest
 * words, state, timestamps) plus one plain array for the few references
 * (key id, consumer id, scopes, plan). An open-addressing index with linear
 * probing maps a keyed slot hash to `row + 1` (0 = empty); it is kept at most
 * half full so probes stay short, and deletion shifts later members of a
 * probe run back instead of leaving tombstones, so lookups never slow down
 * with churn. Rows grow by doubling up to `capacity`; at capacity a CLOCK
 * hand evicts the first row whose TTL has run out or that was not hit since
 * the hand last passed. A keyId → row map and a per-consumer linked list of
 * rows make invalidation by key or consumer cost only the rows involved.
 *
 * Timestamps are milliseconds; null is stored as NaN.
 */
export class DigestTable {
  readonly #capacity: number;
  readonly #negativeCapacity: number;
  readonly #seed0: number;
  readonly #seed1: number;
  readonly #probe = new Uint32Array(DIGEST_WORDS);
  readonly #scopes = new Interner<readonly string[]>(4096);
  readonly #plans = new Interner<string>(4096);
  /** Compiled once per distinct list: keys sharing an allowlist share its matcher. */
  readonly #allowlists = new Interner<IpAllowlist>(4096);

  #rows = 0;
  #index = new Int32Array(0);
  #meta = new Uint32Array(0);
  #links = new Int32Array(0);
  #times = new Float64Array(0);
  #free = new Int32Array(0);
  #refs: Ref[] = [];
  #freeTop = 0;
  #hand = 0;
  #size = 0;
  #negatives = 0;
  #evictions = 0;
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

  /** Bytes held by the typed-array columns and the index (not the strings, maps or the refs array). */
  get columnBytes(): number {
    return this.#index.byteLength + this.#meta.byteLength + this.#free.byteLength;
  }

  /**
   * The row holding `hash` (hex), or -1. Marks the row as recently used. An
   * entry's TTL is the caller's business: check `cachedUntil(row)`.
   */
  find(hash: string): number {
    if (hash.length !== 64) return NONE;
    readHexDigest(hash, this.#probe, 0);
    return this.#hit(this.#search());
  }

  /** `find` for a digest in latin1 form (32 characters, one per byte): the hot path, no hex decoding. */
  findLatin1(digest: string): number {
    if (digest.length !== 32) return NONE;
    readLatin1Digest(digest, this.#probe, 0);
    return this.#hit(this.#search());
  }

  isNegative(row: number): boolean {
    return (this.#state(row) & NEGATIVE) !== 0;
  }

  consumerDisabled(row: number): boolean {
    return (this.#state(row) & DISABLED) !== 0;
  }

  status(row: number): KeyStatus {
    return STATUS_CODES[this.#state(row) >>> 8] ?? "active";
  }

  cachedUntil(row: number): number {
    return this.#times[row * F64 + T_CACHED] ?? 0;
  }

  expiresAt(row: number): number | null {
    return fromColumn(this.#times[row * F64 + T_EXPIRES]);
  }

  deprecatedAt(row: number): number | null {
    return fromColumn(this.#times[row * F64 + T_DEPRECATED]);
  }

  sunsetAt(row: number): number | null {
    return fromColumn(this.#times[row * F64 + T_SUNSET]);
  }

  keyId(row: number): string {
    const value = this.#refs[row * REFS + R_KEY];
    return typeof value === "string" ? value : "";
  }

  consumerId(row: number): string {
    const value = this.#refs[row * REFS + R_CONSUMER];
    return typeof value === "string" ? value : "";
  }

  scopes(row: number): readonly string[] {
    const value = this.#refs[row * REFS + R_SCOPES];
    return Array.isArray(value) ? value : NO_SCOPES;
  }

  plan(row: number): string | null {
    const value = this.#refs[row * REFS + R_PLAN];
    return typeof value === "string" ? value : null;
  }

  /** The key's compiled IP allowlist, or null when it may be used from anywhere. */
  allowlist(row: number): IpAllowlist | null {
    const value = this.#refs[row * REFS + R_ALLOW];
    return typeof value === "object" && value !== null && "allows" in value ? value : null;
  }

  /** Caches a found key until `cachedUntil`, replacing any entry for the same hash or key id. */
  setPositive(hash: string, entry: DigestEntry, cachedUntil: number, now: number): void {
    const row = this.#rowFor(hash, now);
    if (row < 0) throw new RangeError("hash is not a hex SHA-256 digest");
    const previous = this.#byKeyId.get(entry.keyId);
    if (previous !== undefined && previous !== row) this.#remove(previous);
    this.#setState(
      row,
      USED | REFERENCED | (entry.consumerDisabled ? DISABLED : 0),
      STATUS_INDEX[entry.status],
    );
    const t = row * F64;
    this.#times[t + T_EXPIRES] = toColumn(entry.expiresAt);
    this.#times[t + T_DEPRECATED] = toColumn(entry.deprecatedAt);
    this.#times[t + T_SUNSET] = toColumn(entry.sunsetAt);
    this.#times[t + T_CACHED] = cachedUntil;
    const r = row * REFS;
    this.#refs[r + R_KEY] = entry.keyId;
    this.#refs[r + R_SCOPES] = this.#scopes.intern(entry.scopes.join("\n"), entry.scopes);
    this.#refs[r + R_PLAN] = entry.plan === null ? null : this.#plans.intern(entry.plan, entry.plan);
    this.#refs[r + R_ALLOW] = allowlistOf(this.#allowlists, entry.allowedIps);
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
    this.#setState(row, USED | NEGATIVE | REFERENCED, 0);
    this.#negatives++;
    this.#times[row * F64 + T_CACHED] = cachedUntil;
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
    this.#meta.fill(0);
    for (let row = 0; row < this.#rows; row++) {
      this.#links[row * U32 + L_NEXT] = NONE;
      this.#links[row * U32 + L_PREV] = NONE;
    }
    this.#refs = [];
    this.#byKeyId = new Map();
    this.#consumers = new Map();
    this.#size = 0;
    this.#negatives = 0;
    this.#hand = 0;
    this.#freeTop = 0;
    for (let row = this.#rows - 1; row >= 0; row--) this.#free[this.#freeTop++] = row;
  }

  #state(row: number): number {
    return this.#meta[row * U32 + M_STATE] ?? 0;
  }

  #setState(row: number, flags: number, status: number): void {
    this.#meta[row * U32 + M_STATE] = (flags & FLAGS_MASK) | (status << 8);
  }

  #hit(row: number): number {
    if (row < 0) return NONE;
    const at = row * U32 + M_STATE;
    this.#meta[at] = (this.#meta[at] ?? 0) | REFERENCED;
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
    const meta = this.#meta;
    const probe = this.#probe;
    const mask = index.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = index[i] ?? 0;
      if (v === 0) return NONE;
      const base = (v - 1) * U32;
      if (meta[base + M_SLOT] !== h) continue;
      let same = true;
      for (let w = 0; w < DIGEST_WORDS && same; w++) same = meta[base + M_DIGEST + w] === probe[w];
      if (same) return v - 1;
    }
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
    const base = row * U32;
    const h = slotHash(this.#probe, 0, this.#seed0, this.#seed1);
    this.#meta[base + M_SLOT] = h;
    this.#meta.set(this.#probe, base + M_DIGEST);
    this.#setState(row, USED, 0);
    // Fill every ref slot so the array stays densely packed as rows are handed out in order.
    const r = row * REFS;
    this.#refs[r + R_KEY] = undefined;
    this.#refs[r + R_CONSUMER] = undefined;
    this.#refs[r + R_SCOPES] = undefined;
    this.#refs[r + R_PLAN] = null;
    this.#refs[r + R_ALLOW] = null;
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
    const state = this.#state(row);
    if ((state & NEGATIVE) !== 0) this.#negatives--;
    const r = row * REFS;
    const keyId = this.#refs[r + R_KEY];
    if (typeof keyId === "string" && this.#byKeyId.get(keyId) === row) this.#byKeyId.delete(keyId);
    this.#unlinkConsumer(row);
    this.#refs[r + R_KEY] = undefined;
    this.#refs[r + R_SCOPES] = undefined;
    this.#refs[r + R_PLAN] = null;
    this.#refs[r + R_ALLOW] = null;
    this.#setState(row, state & ~(NEGATIVE | DISABLED), 0);
  }

  #remove(row: number): void {
    this.#clearPayload(row);
    this.#deleteIndex(row);
    this.#setState(row, 0, 0);
    this.#free[this.#freeTop++] = row;
    this.#size--;
  }

  /** Backward-shift deletion: later members of the probe run move up so no run is broken. */
  #deleteIndex(row: number): void {
    const index = this.#index;
    const mask = index.length - 1;
    let hole = (this.#meta[row * U32 + M_SLOT] ?? 0) & mask;
    while ((index[hole] ?? 0) !== row + 1) hole = (hole + 1) & mask;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const v = index[j] ?? 0;
      if (v === 0) break;
      const home = (this.#meta[(v - 1) * U32 + M_SLOT] ?? 0) & mask;
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
      const state = this.#state(row);
      if ((state & USED) === 0) continue;
      if ((state & REFERENCED) !== 0 && this.cachedUntil(row) > now) {
        this.#meta[row * U32 + M_STATE] = state & ~REFERENCED;
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
    const l = row * U32;
    this.#refs[row * REFS + R_CONSUMER] = chain.id;
    this.#links[l + L_NEXT] = chain.head;
    this.#links[l + L_PREV] = NONE;
    if (chain.head !== NONE) this.#links[chain.head * U32 + L_PREV] = row;
    chain.head = row;
  }

  #unlinkConsumer(row: number): void {
    const consumerId = this.#refs[row * REFS + R_CONSUMER];
    if (typeof consumerId !== "string") return;
    const l = row * U32;
    const next = this.#links[l + L_NEXT] ?? NONE;
    const prev = this.#links[l + L_PREV] ?? NONE;
    if (prev === NONE) {
      const chain = this.#consumers.get(consumerId);
      if (chain !== undefined) {
        if (next === NONE) this.#consumers.delete(consumerId);
        else chain.head = next;
      }
    } else {
      this.#links[prev * U32 + L_NEXT] = next;
    }
    if (next !== NONE) this.#links[next * U32 + L_PREV] = prev;
    this.#refs[row * REFS + R_CONSUMER] = undefined;
    this.#links[l + L_NEXT] = NONE;
    this.#links[l + L_PREV] = NONE;
  }

  #resize(rows: number): void {
    const old = this.#rows;
    this.#rows = rows;
    const buffer = new ArrayBuffer(rows * ROW_BYTES);
    new Uint8Array(buffer).set(new Uint8Array(this.#meta.buffer, 0, old * ROW_BYTES));
    this.#meta = new Uint32Array(buffer);
    this.#links = new Int32Array(buffer);
    this.#times = new Float64Array(buffer);
    for (let row = old; row < rows; row++) {
      this.#links[row * U32 + L_NEXT] = NONE;
      this.#links[row * U32 + L_PREV] = NONE;
    }
    const free = new Int32Array(rows);
    free.set(this.#free.subarray(0, this.#freeTop));
    this.#free = free;
    // New rows go on the free stack highest first, so rows are handed out in ascending order.
    for (let row = rows - 1; row >= old; row--) this.#free[this.#freeTop++] = row;
    this.#index = new Int32Array(nextPowerOfTwo(rows) * 2);
    for (let row = 0; row < old; row++) {
      if ((this.#state(row) & USED) !== 0) this.#insertIndex(row, this.#meta[row * U32 + M_SLOT] ?? 0);
    }
  }
}
