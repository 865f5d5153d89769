import type { KeyRecord } from "@keygate/core";
import { generateKeySecret, keyHint, newId } from "@keygate/core";
import { cryptoRandom, nodeHasher } from "../../packages/server/src/platform/node-platform.ts";
import { createKeyStore } from "../../packages/server/src/store/create-key-store.ts";

/** A key made by `seedKeys`, with the secret a consumer would hold. */
export interface SeededKey {
  readonly id: string;
  readonly secret: string;
}

const KEYS_PER_COMMIT = 1000;

/**
 * Inserts `count` active keys for `consumerId` straight into the store
 * (1,000 per transaction), for tests and benches that need thousands of keys
 * quickly; the admin API would take one transaction per key. Nodes learn of
 * them by reading the store on a cache miss, as they do for any new key.
 */
export async function seedKeys(databaseUrl: string, consumerId: string, count: number): Promise<SeededKey[]> {
  const store = createKeyStore(databaseUrl, { hasher: nodeHasher });
  const seeded: SeededKey[] = [];
  try {
    for (let start = 0; start < count; start += KEYS_PER_COMMIT) {
      const keys: KeyRecord[] = [];
      for (let i = start; i < Math.min(count, start + KEYS_PER_COMMIT); i++) {
        const secret = generateKeySecret(cryptoRandom, "live");
        const now = Date.now();
        const key: KeyRecord = {
          id: newId("key", now, cryptoRandom),
          consumerId,
          name: `seeded-${i}`,
          scopes: [],
          env: "live",
          lineageId: newId("lin", now, cryptoRandom),
          version: 1,
          status: "active",
          hash: nodeHasher.sha256Hex(secret),
          hint: keyHint(secret),
          createdAt: now,
          expiresAt: null,
          deprecatedAt: null,
          sunsetAt: null,
          revokedAt: null,
          revokedReason: null,
          lastUsedAt: null,
          metadata: {},
          revision: 0,
        };
        keys.push(key);
        seeded.push({ id: key.id, secret });
      }
      const result = await store.commit({
        writes: keys.map((key) => ({ type: "insertKey", key })),
        audit: [],
        events: [],
      });
      if (!result.ok) throw new Error(`seeding keys failed: ${result.conflict}`);
    }
  } finally {
    await store.close();
  }
  return seeded;
}
