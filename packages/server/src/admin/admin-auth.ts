import { timingSafeEqual } from "node:crypto";
import type { AdminToken, Change, Clock, Hasher, KeyStore } from "@keygate/core";
import { KeygateError } from "@keygate/core";
import { bearerToken, MAX_CREDENTIAL_LENGTH } from "./credentials.ts";

export interface AdminAuthenticatorOptions {
  readonly store: KeyStore;
  readonly hasher: Hasher;
  readonly clock: Clock;
  /**
   * How long a lookup (found or not) is reused. Short, because a revoked
   * token keeps working on this node until its entry expires. Default 5 s.
   * A token in use is looked up again in the background from half its
   * entry's life, so a busy operator's calls do not wait on the store every
   * `ttlMs`; the entry is never used past its end.
   */
  readonly ttlMs?: number;
  /**
   * Known tokens kept at most, least recently used dropped first. Unknown
   * tokens are remembered apart (`maxUnknownEntries`), so a flood of random
   * tokens never pushes a known one out. Default 10,000.
   */
  readonly maxEntries?: number;
  /** Unknown tokens remembered at most (a repeated bad token skips the store for `ttlMs`). Default 1,000. */
  readonly maxUnknownEntries?: number;
  /** Called with each accepted token and the time (last-use recording, batched by the callee). */
  readonly onUse?: ((token: AdminToken, at: number) => void) | undefined;
}

interface CacheEntry {
  readonly token: AdminToken | null;
  readonly until: number;
  /** A background lookup of the token has started (from half the entry's life, see `ttlMs`). */
  refreshing: boolean;
}

/**
 * Checks `Authorization: Bearer <admin token>`. Tokens are stored as their
 * SHA-256; the store is asked by hash and the stored hash is compared to the
 * presented one in constant time before it is trusted. Lookups are cached in
 * two bounded maps: known tokens (an LRU) and unknown ones (oldest dropped),
 * so guessing can only evict guesses.
 */
export class AdminAuthenticator {
  readonly #options: AdminAuthenticatorOptions;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxUnknown: number;
  /** Found tokens, least recently used first (a hit moves its entry to the end). */
  readonly #cache = new Map<string, CacheEntry>();
  /** Hashes the store did not know, oldest first. */
  readonly #unknown = new Map<string, CacheEntry>();
  /**
   * Grows with every applied invalidation. A lookup that was in flight across
   * one may have read the row before the change committed, so its answer is
   * used once but not cached.
   */
  #epoch = 0;

  constructor(options: AdminAuthenticatorOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? 5_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxUnknown = options.maxUnknownEntries ?? 1_000;
  }

  /** The live token behind the header; throws `UNAUTHENTICATED` for a missing, unknown, expired or revoked one. */
  async authenticate(authorization: string | undefined): Promise<AdminToken> {
    const presented = bearerToken(authorization);
    if (presented === undefined) {
      throw new KeygateError("UNAUTHENTICATED", "send an admin token as `Authorization: Bearer <token>`");
    }
    if (presented.length > MAX_CREDENTIAL_LENGTH)
      throw new KeygateError("UNAUTHENTICATED", "admin token not recognised");
    const hash = this.#options.hasher.sha256Hex(presented);
    const token = await this.#lookup(hash);
    if (token === null || !sameHash(token.hash, hash)) {
      throw new KeygateError("UNAUTHENTICATED", "admin token not recognised");
    }
    const now = this.#options.clock.now();
    if (token.revokedAt !== null && token.revokedAt <= now) {
      throw new KeygateError("UNAUTHENTICATED", "admin token revoked");
    }
    if (token.expiresAt !== null && token.expiresAt <= now) {
      throw new KeygateError("UNAUTHENTICATED", "admin token expired");
    }
    this.#options.onUse?.(token, now);
    return token;
  }

  /**
   * Applies a change from the bus: an admin-token revocation is published
   * with the token's hash in `hashes`, so its entry is dropped here and the
   * next request reads the revoked row. `all` drops every entry. Key hashes
   * in other changes match nothing here (a different secret's digest), at no cost.
   */
  applyChange(change: Change): void {
    this.#epoch++;
    if (change.all) {
      this.#cache.clear();
      this.#unknown.clear();
      return;
    }
    for (const hash of change.hashes) {
      this.#cache.delete(hash);
      this.#unknown.delete(hash);
    }
  }

  /** Drops every entry (the node lost the bus: a revocation may have been missed). */
  clear(): void {
    this.#epoch++;
    this.#cache.clear();
    this.#unknown.clear();
  }

  async #lookup(hash: string): Promise<AdminToken | null> {
    const now = this.#options.clock.now();
    const cached = this.#cache.get(hash) ?? this.#unknown.get(hash);
    if (cached !== undefined && cached.until > now) {
      if (cached.token !== null) {
        this.#cache.delete(hash);
        this.#cache.set(hash, cached);
      }
      // Only found tokens are refreshed ahead: unknown ones (a flood of guesses) just expire.
      const refreshDue = now >= cached.until - this.#ttlMs / 2;
      if (cached.token !== null && refreshDue && !cached.refreshing) this.#refresh(hash, cached);
      return cached.token;
    }
    let token: AdminToken | null;
    const epoch = this.#epoch;
    try {
      token = await this.#options.store.findAdminTokenByHash(hash);
    } catch {
      throw new KeygateError("STORE_UNAVAILABLE", "cannot check the admin token: the store is unavailable");
    }
    if (epoch === this.#epoch) this.#remember(hash, token, now);
    return token;
  }

  /**
   * Looks `hash` up again in the background, once per entry. If that fails
   * (the store is down) the entry runs out, and the next request looks the
   * token up itself, answering 503 while the store stays down.
   */
  #refresh(hash: string, entry: CacheEntry): void {
    entry.refreshing = true;
    const startedAt = this.#options.clock.now();
    const epoch = this.#epoch;
    this.#options.store.findAdminTokenByHash(hash).then(
      (token) => {
        if (this.#cache.get(hash) === entry && epoch === this.#epoch) this.#remember(hash, token, startedAt);
      },
      () => undefined,
    );
  }

  /** Caches a lookup that started at `startedAt` (its answer is as old as that). */
  #remember(hash: string, token: AdminToken | null, startedAt: number): void {
    const entry: CacheEntry = { token, until: startedAt + this.#ttlMs, refreshing: false };
    this.#cache.delete(hash);
    this.#unknown.delete(hash);
    const map = token === null ? this.#unknown : this.#cache;
    const max = token === null ? this.#maxUnknown : this.#maxEntries;
    if (map.size >= max) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
    map.set(hash, entry);
  }

  /** Entries cached: known tokens and unknown ones (for tests and metrics). */
  cacheSize(): { known: number; unknown: number } {
    return { known: this.#cache.size, unknown: this.#unknown.size };
  }
}

function sameHash(storedHex: string, presentedHex: string): boolean {
  const stored = Buffer.from(storedHex, "hex");
  const presented = Buffer.from(presentedHex, "hex");
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

export interface AdminAuthThrottleOptions {
  /** Refused admin tokens in one minute from one client above which it gets 429 until the minute ends. Default 30; 0 turns it off. */
  readonly failuresPerMinute?: number | undefined;
  /** Clients counted per minute; the oldest is forgotten past it. Default 10,000. */
  readonly maxTracked?: number | undefined;
}

const MINUTE_MS = 60_000;

/**
 * Throttles admin-token guessing per client (an IPv4 address or an IPv6 /64,
 * as the caller names it): past `failuresPerMinute` refused tokens in a
 * clock-aligned minute, the client is answered 429 with `Retry-After` until
 * the minute ends, before any lookup. In this node's memory, bounded.
 */
export class AdminAuthThrottle {
  readonly #limit: number;
  readonly #max: number;
  #minute = -1;
  #failures = new Map<string, number>();

  constructor(options: AdminAuthThrottleOptions = {}) {
    this.#limit = options.failuresPerMinute ?? 30;
    this.#max = options.maxTracked ?? 10_000;
  }

  /** Seconds `client` must wait before it is heard again; 0 when it may go on. */
  retryAfter(client: string | undefined, now: number): number {
    if (this.#limit <= 0 || client === undefined) return 0;
    this.#roll(now);
    if ((this.#failures.get(client) ?? 0) <= this.#limit) return 0;
    return Math.max(1, Math.ceil(((this.#minute + 1) * MINUTE_MS - now) / 1000));
  }

  /** Counts one refused admin token from `client`. */
  fail(client: string | undefined, now: number): void {
    if (this.#limit <= 0 || client === undefined) return;
    this.#roll(now);
    const next = (this.#failures.get(client) ?? 0) + 1;
    if (next === 1 && this.#failures.size >= this.#max) {
      const oldest = this.#failures.keys().next();
      if (oldest.done !== true) this.#failures.delete(oldest.value);
    }
    this.#failures.set(client, next);
  }

  #roll(now: number): void {
    const minute = Math.floor(now / MINUTE_MS);
    if (minute === this.#minute) return;
    this.#minute = minute;
    this.#failures = new Map();
  }
}
