import {
  type Clock,
  type Consumer,
  generateKeySecret,
  type KeyRecord,
  type KeyStore,
  type KeyWithConsumer,
  keyHint,
  newId,
} from "@keygate/core";
import { cryptoRandom, nodeHasher } from "../../src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";

export const T0 = Date.UTC(2025, 0, 1);

/** A clock moved by hand. */
export class ManualClock implements Clock {
  current: number;

  constructor(start = T0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * A real `MemoryKeyStore` that counts verification reads and can be made to
 * fail or to hold reads until released, to observe coalescing and outages.
 */
export class CountingKeyStore implements Pick<KeyStore, "findKeyByHash" | "recordKeyUsage"> {
  readonly inner: MemoryKeyStore;
  reads = 0;
  down = false;
  #held: Array<() => void> | undefined;

  constructor(inner: MemoryKeyStore) {
    this.inner = inner;
  }

  /** Until `release()`, reads wait. */
  hold(): void {
    this.#held = [];
  }

  /** Until `release()`, reads answer what the store held when they were made (a read in flight). */
  holdAnswers(): void {
    this.#held = [];
    this.#answerEarly = true;
  }

  #answerEarly = false;

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.#answerEarly = false;
    for (const go of held) go();
  }

  async findKeyByHash(hash: string): Promise<KeyWithConsumer | null> {
    this.reads++;
    const held = this.#held;
    const early = held !== undefined && this.#answerEarly ? await this.inner.findKeyByHash(hash) : undefined;
    if (held !== undefined) await new Promise<void>((resolve) => held.push(resolve));
    if (this.down) throw new Error("connection refused (test store is down)");
    return early !== undefined ? early : this.inner.findKeyByHash(hash);
  }

  recordKeyUsage(...args: Parameters<KeyStore["recordKeyUsage"]>): Promise<void> {
    if (this.down) return Promise.reject(new Error("connection refused (test store is down)"));
    return this.inner.recordKeyUsage(...args);
  }
}

export interface KeyOptions {
  readonly scopes?: readonly string[];
  readonly expiresAt?: number | null;
  readonly env?: "live" | "test";
  /** Use this secret instead of a fresh one. */
  readonly secret?: string;
  /** Canonical CIDRs the key may be used from. */
  readonly allowedIps?: readonly string[] | null;
}

/** Consumers and keys committed through the store's real `commit`, with their secrets. */
export class KeyWorld {
  readonly store = new MemoryKeyStore({ hasher: nodeHasher });
  readonly clock: ManualClock;

  constructor(clock = new ManualClock()) {
    this.clock = clock;
  }

  async addConsumer(
    overrides: Partial<Pick<Consumer, "plan" | "disabled" | "name">> = {},
  ): Promise<Consumer> {
    const now = this.clock.now();
    const consumer: Consumer = {
      id: newId("con", now, cryptoRandom),
      name: overrides.name ?? "Acme",
      email: null,
      plan: overrides.plan ?? null,
      metadata: {},
      disabled: overrides.disabled ?? false,
      rotationPolicy: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#commit([{ type: "insertConsumer", consumer }]);
    return consumer;
  }

  async addKey(consumerId: string, options: KeyOptions = {}): Promise<{ secret: string; key: KeyRecord }> {
    const now = this.clock.now();
    const env = options.env ?? "live";
    const secret = options.secret ?? generateKeySecret(cryptoRandom, env);
    const key: KeyRecord = {
      id: newId("key", now, cryptoRandom),
      consumerId,
      name: "test key",
      scopes: [...(options.scopes ?? [])],
      env,
      lineageId: newId("lin", now, cryptoRandom),
      version: 1,
      status: "active",
      hash: nodeHasher.sha256Hex(secret),
      hint: keyHint(secret),
      createdAt: now,
      expiresAt: options.expiresAt ?? null,
      deprecatedAt: null,
      sunsetAt: null,
      revokedAt: null,
      revokedReason: null,
      lastUsedAt: null,
      metadata: {},
      createdBy: "operator:test",
      allowedIps: options.allowedIps ?? null,
      revision: 0,
    };
    await this.#commit([{ type: "insertKey", key }]);
    return { secret, key };
  }

  /** Applies `patch` to the stored key through a guarded `updateKey` write. */
  async updateKey(keyId: string, patch: Partial<KeyRecord>): Promise<KeyRecord> {
    const current = await this.store.getKey(keyId);
    if (current === null) throw new Error(`no key ${keyId}`);
    await this.#commit([
      { type: "updateKey", key: { ...current, ...patch }, expectRevision: current.revision },
    ]);
    const updated = await this.store.getKey(keyId);
    if (updated === null) throw new Error(`no key ${keyId}`);
    return updated;
  }

  async updateConsumer(consumerId: string, patch: Partial<Consumer>): Promise<void> {
    const current = await this.store.getConsumer(consumerId);
    if (current === null) throw new Error(`no consumer ${consumerId}`);
    await this.#commit([{ type: "updateConsumer", consumer: { ...current, ...patch } }]);
  }

  async #commit(writes: Parameters<MemoryKeyStore["commit"]>[0]["writes"]): Promise<void> {
    const result = await this.store.commit({ writes, audit: [], events: [] });
    if (!result.ok) throw new Error(`commit failed: ${result.conflict}`);
  }
}

/** A well-formed secret that no store knows. */
export function unknownSecret(): string {
  return generateKeySecret(cryptoRandom, "live");
}

/** `secret` with its last checksum character changed: right shape, wrong checksum. */
export function wrongChecksum(secret: string): string {
  const last = secret.at(-1) === "a" ? "b" : "a";
  return `${secret.slice(0, -1)}${last}`;
}
