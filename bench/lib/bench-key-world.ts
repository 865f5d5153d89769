import type { Consumer, KeyRecord, KeyStore, KeyWithConsumer, Write } from "@keygate/core";
import { newId } from "@keygate/core";
import { cryptoRandom, nodeHasher } from "../../packages/server/src/platform/node-platform.ts";
import { firstKeyRecord, mintSecret } from "../../packages/server/src/services/issue-key.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";

const PLATFORM = { random: cryptoRandom, hasher: nodeHasher };

/** The consumer and extra writes `seedOneKey` commits beside the key. */
export interface OneKeyOptions {
  readonly scopes: readonly string[];
  /** The consumer's plan. Default: "pro". */
  readonly plan?: string | null;
  /** The consumer's rotation policy. Default: none. */
  readonly rotationPolicy?: Consumer["rotationPolicy"];
  /** Committed before the consumer and key, in the same unit (e.g. the plan they use). */
  readonly before?: readonly Write[];
  /** The key's IP allowlist (canonical CIDRs). Default: none. */
  readonly allowedIps?: readonly string[];
}

/** Commits one consumer and one active key into `store`; returns the key's secret. */
export async function seedOneKey(store: KeyStore, options: OneKeyOptions): Promise<string> {
  const now = Date.now();
  const consumer: Consumer = {
    id: newId("con", now, cryptoRandom),
    name: "bench",
    email: null,
    plan: options.plan === undefined ? "pro" : options.plan,
    metadata: {},
    disabled: false,
    rotationPolicy: options.rotationPolicy ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const minted = mintSecret(PLATFORM, "live");
  const issued = firstKeyRecord(
    PLATFORM,
    consumer.id,
    minted,
    { name: "bench key", scopes: options.scopes },
    now,
  );
  const key = options.allowedIps === undefined ? issued : { ...issued, allowedIps: [...options.allowedIps] };
  const committed = await store.commit({
    writes: [...(options.before ?? []), { type: "insertConsumer", consumer }, { type: "insertKey", key }],
    audit: [],
    events: [],
  });
  if (!committed.ok) throw new Error(committed.conflict);
  return minted.secret;
}

/** A MemoryKeyStore holding one consumer and one active key, created through `commit`. */
export async function oneKeyStore(
  scopes: readonly string[],
): Promise<{ store: MemoryKeyStore; secret: string }> {
  const store = new MemoryKeyStore({ hasher: nodeHasher });
  const secret = await seedOneKey(store, { scopes });
  return { store, secret };
}

/**
 * A flat copy of `text`. Template literals make V8 cons strings (a pair of
 * pointers plus the parts); rows decoded by a database driver are flat, so
 * the fixture's ids are too, or memory per cached key would be overstated.
 */
function flat(text: string): string {
  return Buffer.from(text, "latin1").toString("latin1");
}

/**
 * A read-only verification store for a million keys: MemoryKeyStore's
 * `findKeyByHash` scans (fine for tests, not for 10^6 keys), so this one maps
 * hash → index and builds each record on demand, the way a SQL row would be
 * decoded into fresh objects. 1,000 consumers share the keys.
 */
export class HashIndexStore implements Pick<KeyStore, "findKeyByHash"> {
  readonly #index = new Map<string, number>();
  readonly #createdAt = Date.now();

  constructor(hashes: readonly string[]) {
    for (let i = 0; i < hashes.length; i++) this.#index.set(hashes[i] ?? "", i);
  }

  async findKeyByHash(hash: string): Promise<KeyWithConsumer | null> {
    const i = this.#index.get(hash);
    if (i === undefined) return null;
    const consumerId = flat(`con_bench${String(i % 1000).padStart(17, "0")}`);
    const key: KeyRecord = {
      id: flat(`key_bench${String(i).padStart(17, "0")}`),
      consumerId,
      name: "bench key",
      scopes: ["read", "trade"],
      env: "live",
      lineageId: `lin_bench${String(i).padStart(18, "0")}`,
      version: 1,
      status: "active",
      hash,
      hint: "kg_live_xxxx…xxxx",
      createdAt: this.#createdAt,
      expiresAt: null,
      deprecatedAt: null,
      sunsetAt: null,
      revokedAt: null,
      revokedReason: null,
      lastUsedAt: null,
      metadata: {},
      createdBy: "operator:test",
      allowedIps: null,
      revision: 0,
    };
    const consumer: Consumer = {
      id: consumerId,
      name: "bench",
      email: null,
      plan: "pro",
      metadata: {},
      disabled: false,
      rotationPolicy: null,
      createdAt: this.#createdAt,
      updatedAt: this.#createdAt,
    };
    return { key, consumer };
  }
}
