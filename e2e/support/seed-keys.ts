import type { KeyRecord } from "@keygate/core";
import { cryptoRandom, nodeHasher } from "../../packages/server/src/platform/node-platform.ts";
import { firstKeyRecord, mintSecret } from "../../packages/server/src/services/issue-key.ts";
import { createKeyStore } from "../../packages/server/src/store/create-key-store.ts";

/** A key made by `seedKeys`, with the secret a consumer would hold. */
export interface SeededKey {
  readonly id: string;
  readonly secret: string;
}

const KEYS_PER_COMMIT = 1000;
const PLATFORM = { random: cryptoRandom, hasher: nodeHasher };

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
        const minted = mintSecret(PLATFORM, "live");
        const key = firstKeyRecord(PLATFORM, consumerId, minted, { name: `seeded-${i}` }, Date.now());
        keys.push(key);
        seeded.push({ id: key.id, secret: minted.secret });
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
