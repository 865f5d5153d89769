import type {
  Change,
  Clock,
  Hasher,
  KeyStatus,
  KeyStore,
  KeyValidityFields,
  KeyWithConsumer,
} from "@keygate/core";
import { decideKeyValidity, hasScopes, parseKeySecret } from "@keygate/core";
import { DigestTable } from "./digest-table.ts";
import { latin1DigestToHex } from "./hex-digest.ts";
import { compileAllowlist, type IpAllowlist } from "./ip-allowlist.ts";
import {
  failureOutcome,
  KEY_MALFORMED_OUTCOME,
  KEY_MISSING_OUTCOME,
  KEY_NOT_FOUND_OUTCOME,
  STORE_UNAVAILABLE_OUTCOME,
  type VerifyOutcome,
  validOutcome,
} from "./verify-outcome.ts";
import { withTimeout } from "./with-timeout.ts";

export interface VerifierOptions {
  /** Only the verification read is needed. */
  readonly store: Pick<KeyStore, "findKeyByHash">;
  readonly clock: Clock;
  readonly hasher: Hasher;
  /**
   * How long a found key is answered from memory. A safety net only: changes
   * arrive through `applyChange`, and expiry/sunset are decided at every call
   * from the cached timestamps. Default 30 s.
   */
  readonly ttlMs?: number | undefined;
  /** How long "no such key" is remembered. Short, so a new key works at once even without a change. Default 2 s. */
  readonly negativeTtlMs?: number | undefined;
  /**
   * How long past its TTL a found key may still be answered while the store
   * is failing (and the bus is connected: see `setBusConnected`). Default
   * 5 min; 0 makes a store outage refuse every key whose TTL has run out.
   */
  readonly staleIfErrorMs?: number | undefined;
  /**
   * Longest wait for a verification read; past it the read counts as failed
   * (STORE_UNAVAILABLE, or a stale answer) and the next request reads again.
   * Default 3000 ms; 0 waits forever.
   */
  readonly storeTimeoutMs?: number | undefined;
  /**
   * TTL of found keys while the node is cut off from the change bus
   * (`setBusConnected(false)`): it bounds how stale an answer can be when
   * invalidations cannot arrive. Default 1000 ms.
   */
  readonly disconnectedTtlMs?: number | undefined;
  /**
   * Longest a revocation fence (a change with `fence: "revoke"`) is held: its
   * committed change, lift or release normally follows within milliseconds; this
   * bounds how long keys stay refused if the node that fenced them dies
   * before committing. Default 10,000 ms.
   */
  readonly fenceMs?: number | undefined;
  /** Most cached entries. Default 1,000,000. */
  readonly capacity?: number | undefined;
  /** Most cached unknown hashes. Default capacity / 8. */
  readonly negativeCapacity?: number | undefined;
}

export interface VerifierStats {
  /** Answers given from memory. */
  readonly hits: number;
  /** Calls that needed the store (coalesced ones included). */
  readonly misses: number;
  /** Misses that joined a store read already in flight for the same hash. */
  readonly coalesced: number;
  /** Store reads that failed. */
  readonly storeErrors: number;
  /** Answers given from an entry past its TTL because the store failed. */
  readonly staleAnswers: number;
  readonly entries: number;
  readonly negativeEntries: number;
  readonly evictions: number;
  /** Bytes of the cache's typed-array columns and index (strings and maps not included). */
  readonly columnBytes: number;
  /** Keys held refused by revocation fences that have not run out. */
  readonly fencedKeys: number;
}

/** Validity fields of a cached row, refilled in place on every hit (no allocation). */
class RowFields implements KeyValidityFields {
  status: KeyStatus = "active";
  expiresAt: number | null = null;
  sunsetAt: number | null = null;
  deprecatedAt: number | null = null;
}

/**
 * Verifies secrets with a cache in front of the store. The cached answer is
 * the key's fields, not its verdict: `decideKeyValidity` runs at every call,
 * so a key is refused the moment it passes `expiresAt` or `sunsetAt`, cached
 * or not.
 */
export class Verifier {
  readonly #store: Pick<KeyStore, "findKeyByHash">;
  readonly #clock: Clock;
  readonly #hasher: Hasher;
  readonly #latin1: ((text: string) => string) | undefined;
  readonly #ttlMs: number;
  readonly #disconnectedTtlMs: number;
  #busConnected = true;
  readonly #negativeTtlMs: number;
  readonly #staleIfErrorMs: number;
  readonly #storeTimeoutMs: number;
  readonly #table: DigestTable;
  readonly #fields = new RowFields();
  readonly #inflight = new Map<string, Promise<KeyWithConsumer | null>>();
  readonly #fenceMs: number;
  /** Fenced key id → until when (clock ms). Consulted on every answer while not empty. */
  readonly #fences = new Map<string, number>();
  /** Bumped by every invalidation: a store read that started before one must not fill the cache. */
  #epoch = 0;
  #hits = 0;
  #misses = 0;
  #coalesced = 0;
  #storeErrors = 0;
  #staleAnswers = 0;

  constructor(options: VerifierOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#hasher = options.hasher;
    const latin1 = options.hasher.sha256Latin1;
    this.#latin1 = latin1 === undefined ? undefined : latin1.bind(options.hasher);
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#disconnectedTtlMs = Math.min(this.#ttlMs, options.disconnectedTtlMs ?? 1_000);
    this.#negativeTtlMs = options.negativeTtlMs ?? 2_000;
    this.#staleIfErrorMs = options.staleIfErrorMs ?? 300_000;
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 3_000;
    this.#fenceMs = options.fenceMs ?? 10_000;
    this.#table = new DigestTable({ capacity: options.capacity, negativeCapacity: options.negativeCapacity });
  }

  /**
   * Checks, in order: present, well-formed (shape and checksum, before any
   * hashing), known, valid now (expiry, sunset, revocation), consumer
   * enabled, scopes. Answers synchronously from the cache; returns a promise
   * only when the store must be read, and concurrent misses for one secret
   * share a single read. Never rejects: a failing store is STORE_UNAVAILABLE.
   */
  verify(
    secret: string | undefined,
    requiredScopes: readonly string[],
    clientIp?: string,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    if (secret === undefined || secret.length === 0) return KEY_MISSING_OUTCOME;
    if (!parseKeySecret(secret).ok) return KEY_MALFORMED_OUTCOME;
    const table = this.#table;
    // The latin1 digest (when the hasher offers it) skips hex encoding and decoding on every hit.
    const latin1 = this.#latin1;
    const digest = latin1 === undefined ? this.#hasher.sha256Hex(secret) : latin1(secret);
    const row = latin1 === undefined ? table.find(digest) : table.findLatin1(digest);
    const now = this.#clock.now();
    if (row >= 0 && now < table.cachedUntil(row)) {
      this.#hits++;
      return table.isNegative(row)
        ? KEY_NOT_FOUND_OUTCOME
        : this.#decideRow(row, requiredScopes, clientIp, now);
    }
    this.#misses++;
    return this.#miss(latin1 === undefined ? digest : latin1DigestToHex(digest), requiredScopes, clientIp);
  }

  /** Drops the cached answers a change can affect, or applies a revocation fence. Call it for every change on the bus. */
  applyChange(change: Change): void {
    if (change.fence !== undefined) {
      this.#applyFence(change.fence, change.keyIds);
      return;
    }
    this.#invalidated();
    if (change.all) {
      this.#table.clear();
      return;
    }
    // A fence outlives the committed change that follows it: a store read that began under the
    // fence (seeing the key still active) may end after this change, and must still be refused.
    for (const keyId of change.keyIds) this.#table.deleteByKeyId(keyId);
    for (const consumerId of change.consumerIds) this.#table.deleteByConsumerId(consumerId);
    for (const hash of change.hashes) this.#table.deleteByHash(hash);
  }

  /** Drops every cached answer (e.g. when the node loses the change bus). */
  clear(): void {
    this.#invalidated();
    this.#table.clear();
  }

  /**
   * Tells the verifier whether invalidations can reach it. Losing the bus
   * drops every cached answer and shortens the TTL of new ones until the bus
   * is back, so a revocation made meanwhile is honoured within that TTL; and
   * no expired entry is answered stale when the store fails meanwhile.
   */
  setBusConnected(connected: boolean): void {
    if (!connected) this.clear();
    this.#busConnected = connected;
  }

  stats(): VerifierStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      coalesced: this.#coalesced,
      storeErrors: this.#storeErrors,
      staleAnswers: this.#staleAnswers,
      entries: this.#table.size,
      negativeEntries: this.#table.negativeSize,
      evictions: this.#table.evictions,
      columnBytes: this.#table.columnBytes,
      fencedKeys: this.#liveFences(this.#clock.now()),
    };
  }

  /**
   * A fence refuses its keys at once, without reading the store (whose
   * revocation is not committed yet): every answer about a fenced key — from
   * the cache, from a store read, from a stale entry — says revoked while the
   * fence holds, and the cached rows themselves stay as the store had them.
   * The committed change that follows drops the rows as usual; they are read
   * again and found revoked. The fence itself stays until it runs out (a read
   * that began under it may end after the commit). A release (the revocation
   * was refused before anything was written) drops the fence only: the
   * cached rows are still right. A lift (the commit failed, and may have
   * committed all the same) drops the fence and the rows, to be read again.
   */
  #applyFence(fence: "revoke" | "lift" | "release", keyIds: readonly string[]): void {
    if (fence === "lift") {
      this.#invalidated();
      for (const keyId of keyIds) {
        this.#fences.delete(keyId);
        this.#table.deleteByKeyId(keyId);
      }
      return;
    }
    if (fence === "release") {
      for (const keyId of keyIds) this.#fences.delete(keyId);
      return;
    }
    const now = this.#clock.now();
    this.#liveFences(now);
    const until = now + this.#fenceMs;
    for (const keyId of keyIds) this.#fences.set(keyId, until);
  }

  /** Forgets fences that ran out; returns how many are left. */
  #liveFences(now: number): number {
    for (const [keyId, until] of this.#fences) if (until <= now) this.#fences.delete(keyId);
    return this.#fences.size;
  }

  #fenced(keyId: string, now: number): number | undefined {
    if (this.#fences.size === 0) return undefined;
    const until = this.#fences.get(keyId);
    return until !== undefined && until > now ? until : undefined;
  }

  #invalidated(): void {
    this.#epoch++;
    // Later callers must not join reads that began before the change.
    this.#inflight.clear();
  }

  #decideRow(
    row: number,
    requiredScopes: readonly string[],
    clientIp: string | undefined,
    now: number,
  ): VerifyOutcome {
    const table = this.#table;
    const fields = this.#fields;
    const keyId = table.keyId(row);
    fields.status = this.#fenced(keyId, now) === undefined ? table.status(row) : "revoked";
    fields.expiresAt = table.expiresAt(row);
    fields.sunsetAt = table.sunsetAt(row);
    fields.deprecatedAt = table.deprecatedAt(row);
    return this.#decide(
      fields,
      keyId,
      table.consumerId(row),
      table.scopes(row),
      table.plan(row),
      table.consumerDisabled(row),
      table.allowlist(row),
      requiredScopes,
      clientIp,
      now,
    );
  }

  #decide(
    fields: KeyValidityFields,
    keyId: string,
    consumerId: string,
    scopes: readonly string[],
    plan: string | null,
    consumerDisabled: boolean,
    allowlist: IpAllowlist | null,
    requiredScopes: readonly string[],
    clientIp: string | undefined,
    now: number,
  ): VerifyOutcome {
    const validity = decideKeyValidity(fields, now);
    if (validity.type === "invalid") return failureOutcome(validity.code, keyId, consumerId);
    if (consumerDisabled) return failureOutcome("CONSUMER_DISABLED", keyId, consumerId);
    if (allowlist !== null && !allowlist.allows(clientIp))
      return failureOutcome("IP_NOT_ALLOWED", keyId, consumerId);
    if (requiredScopes.length > 0 && !hasScopes(scopes, requiredScopes)) {
      return failureOutcome("SCOPE_DENIED", keyId, consumerId);
    }
    return validOutcome(
      keyId,
      consumerId,
      scopes,
      plan,
      fields.deprecatedAt,
      fields.sunsetAt,
      validity.signalDeprecation,
    );
  }

  #miss(
    hash: string,
    requiredScopes: readonly string[],
    clientIp: string | undefined,
  ): Promise<VerifyOutcome> {
    let read = this.#inflight.get(hash);
    if (read === undefined) {
      read = this.#read(hash);
      this.#inflight.set(hash, read);
    } else {
      this.#coalesced++;
    }
    return read.then(
      (found) => this.#decideFound(found, requiredScopes, clientIp),
      () => this.#fallback(hash, requiredScopes, clientIp),
    );
  }

  /** One store read; fills the cache unless an invalidation happened meanwhile. */
  #read(hash: string): Promise<KeyWithConsumer | null> {
    const epoch = this.#epoch;
    let pending: Promise<KeyWithConsumer | null>;
    try {
      pending = this.#store.findKeyByHash(hash);
    } catch (error) {
      pending = Promise.reject(error);
    }
    if (this.#storeTimeoutMs > 0) pending = withTimeout(pending, this.#storeTimeoutMs);
    const read: Promise<KeyWithConsumer | null> = pending.then(
      (found) => {
        if (this.#inflight.get(hash) === read) this.#inflight.delete(hash);
        if (epoch === this.#epoch) this.#remember(hash, found);
        return found;
      },
      (error: unknown) => {
        if (this.#inflight.get(hash) === read) this.#inflight.delete(hash);
        this.#storeErrors++;
        throw error;
      },
    );
    return read;
  }

  #remember(hash: string, found: KeyWithConsumer | null): void {
    const now = this.#clock.now();
    if (found === null) {
      this.#table.setNegative(hash, now + this.#negativeTtlMs, now);
      return;
    }
    const { key, consumer } = found;
    this.#table.setPositive(
      hash,
      {
        keyId: key.id,
        consumerId: key.consumerId,
        status: key.status,
        expiresAt: key.expiresAt,
        deprecatedAt: key.deprecatedAt,
        sunsetAt: key.sunsetAt,
        scopes: key.scopes,
        consumerDisabled: consumer.disabled,
        plan: consumer.plan,
        allowedIps: key.allowedIps,
      },
      now + (this.#busConnected ? this.#ttlMs : this.#disconnectedTtlMs),
      now,
    );
  }

  #decideFound(
    found: KeyWithConsumer | null,
    requiredScopes: readonly string[],
    clientIp: string | undefined,
  ): VerifyOutcome {
    if (found === null) return KEY_NOT_FOUND_OUTCOME;
    const { key, consumer } = found;
    const now = this.#clock.now();
    return this.#decide(
      this.#fenced(key.id, now) === undefined ? key : { ...key, status: "revoked" },
      key.id,
      key.consumerId,
      key.scopes,
      consumer.plan,
      consumer.disabled,
      key.allowedIps === null ? null : compileAllowlist(key.allowedIps),
      requiredScopes,
      clientIp,
      now,
    );
  }

  /**
   * The store failed: answer from an entry past its TTL if it is recent
   * enough, else STORE_UNAVAILABLE. Only while the node hears the bus: then
   * every revocation committed before the store failed has reached this
   * cache. Cut off from the bus as well, a stale entry could be a key revoked
   * meanwhile, so nothing is answered stale.
   */
  #fallback(hash: string, requiredScopes: readonly string[], clientIp: string | undefined): VerifyOutcome {
    const now = this.#clock.now();
    const row = this.#table.find(hash);
    if (
      this.#busConnected &&
      row >= 0 &&
      !this.#table.isNegative(row) &&
      now < this.#table.cachedUntil(row) + this.#staleIfErrorMs
    ) {
      this.#staleAnswers++;
      return this.#decideRow(row, requiredScopes, clientIp, now);
    }
    return STORE_UNAVAILABLE_OUTCOME;
  }
}
