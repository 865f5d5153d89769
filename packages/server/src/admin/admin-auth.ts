import { timingSafeEqual } from "node:crypto";
import type { AdminToken, Clock, Hasher, KeyStore } from "@keygate/core";
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
  /** Entries kept at most; a flood of random tokens only empties the cache. Default 10,000. */
  readonly maxEntries?: number;
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
 * presented one in constant time before it is trusted.
 */
export class AdminAuthenticator {
  readonly #options: AdminAuthenticatorOptions;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(options: AdminAuthenticatorOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? 5_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** The live token behind the header; throws `UNAUTHENTICATED` for a missing, unknown or revoked one. */
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
    if (token.revokedAt !== null && token.revokedAt <= this.#options.clock.now()) {
      throw new KeygateError("UNAUTHENTICATED", "admin token revoked");
    }
    return token;
  }

  async #lookup(hash: string): Promise<AdminToken | null> {
    const now = this.#options.clock.now();
    const cached = this.#cache.get(hash);
    if (cached !== undefined && cached.until > now) {
      // Only found tokens are refreshed ahead: unknown ones (a flood of guesses) just expire.
      const refreshDue = now >= cached.until - this.#ttlMs / 2;
      if (cached.token !== null && refreshDue && !cached.refreshing) this.#refresh(hash, cached);
      return cached.token;
    }
    let token: AdminToken | null;
    try {
      token = await this.#options.store.findAdminTokenByHash(hash);
    } catch {
      throw new KeygateError("STORE_UNAVAILABLE", "cannot check the admin token: the store is unavailable");
    }
    this.#remember(hash, token, now);
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
    this.#options.store.findAdminTokenByHash(hash).then(
      (token) => {
        if (this.#cache.get(hash) === entry) this.#remember(hash, token, startedAt);
      },
      () => undefined,
    );
  }

  /** Caches a lookup that started at `startedAt` (its answer is as old as that). */
  #remember(hash: string, token: AdminToken | null, startedAt: number): void {
    if (this.#cache.size >= this.#maxEntries) this.#cache.clear();
    this.#cache.set(hash, { token, until: startedAt + this.#ttlMs, refreshing: false });
  }
}

function sameHash(storedHex: string, presentedHex: string): boolean {
  const stored = Buffer.from(storedHex, "hex");
  const presented = Buffer.from(presentedHex, "hex");
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}
