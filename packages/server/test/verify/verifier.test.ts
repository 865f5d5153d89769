import type { Change, Hasher } from "@keygate/core";
import { beforeEach, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import type { VerifyOutcome } from "../../src/verify/verify-outcome.ts";
import { CountingKeyStore, KeyWorld, unknownSecret, wrongChecksum } from "./key-world.ts";

function change(overrides: Partial<Change>): Change {
  return { id: "chg_test", at: 0, keyIds: [], consumerIds: [], hashes: [], all: false, ...overrides };
}

/** A hasher without the latin1 fast path: the verifier must work the same through hex digests. */
const hexOnlyHasher: Hasher = { sha256Hex: (text) => nodeHasher.sha256Hex(text) };

describe.each([
  ["latin1 digests", nodeHasher],
  ["hex digests", hexOnlyHasher],
])("Verifier (%s)", (_label, hasher) => {
  let world: KeyWorld;
  let store: CountingKeyStore;
  let verifier: Verifier;

  beforeEach(() => {
    world = new KeyWorld();
    store = new CountingKeyStore(world.store);
    verifier = new Verifier({ store, clock: world.clock, hasher, ttlMs: 30_000, negativeTtlMs: 2_000 });
  });

  it("refuses a missing key and a malformed one without reading the store", async () => {
    const { secret } = await world.addKey((await world.addConsumer()).id);
    expect(verifier.verify(undefined, [])).toMatchObject({ valid: false, code: "KEY_MISSING" });
    expect(verifier.verify("", [])).toMatchObject({ valid: false, code: "KEY_MISSING" });
    expect(verifier.verify("not-a-key", [])).toMatchObject({ valid: false, code: "KEY_MALFORMED" });
    expect(verifier.verify(wrongChecksum(secret), [])).toMatchObject({ valid: false, code: "KEY_MALFORMED" });
    expect(store.reads).toBe(0);
  });

  it("answers a known key from the store once, then synchronously from the cache", async () => {
    const consumer = await world.addConsumer({ plan: "pro" });
    const { secret, key } = await world.addKey(consumer.id, { scopes: ["read", "trade"] });

    const first = verifier.verify(secret, ["read"]);
    expect(first).toBeInstanceOf(Promise);
    const expected: VerifyOutcome = {
      valid: true,
      code: "VALID",
      keyId: key.id,
      consumerId: consumer.id,
      scopes: ["read", "trade"],
      plan: "pro",
      deprecatedAt: null,
      sunsetAt: null,
      signalDeprecation: false,
    };
    expect(await first).toEqual(expected);

    const second = verifier.verify(secret, ["trade"]);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toEqual(expected);
    expect(store.reads).toBe(1);
    expect(verifier.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
  });

  it("refuses a key past its sunset while its answer is cached", async () => {
    const consumer = await world.addConsumer();
    const { secret, key } = await world.addKey(consumer.id);
    const sunsetAt = world.clock.now() + 10_000;
    const deprecatedAt = world.clock.now();
    await world.updateKey(key.id, { status: "deprecated", deprecatedAt, sunsetAt });

    expect(await verifier.verify(secret, [])).toMatchObject({
      valid: true,
      signalDeprecation: true,
      deprecatedAt,
      sunsetAt,
    });
    world.clock.advance(9_999);
    expect(verifier.verify(secret, [])).toMatchObject({ valid: true, code: "VALID" });
    world.clock.advance(1);
    const refused = verifier.verify(secret, []);
    expect(refused).not.toBeInstanceOf(Promise); // decided from the cache, at that very moment
    expect(refused).toMatchObject({ valid: false, code: "KEY_EXPIRED", keyId: key.id });
    expect(store.reads).toBe(1);
  });

  it("refuses a key past expiresAt while cached", async () => {
    const consumer = await world.addConsumer();
    const { secret } = await world.addKey(consumer.id, { expiresAt: world.clock.now() + 5_000 });
    expect(await verifier.verify(secret, [])).toMatchObject({ valid: true });
    world.clock.advance(5_000);
    expect(verifier.verify(secret, [])).toMatchObject({ valid: false, code: "KEY_EXPIRED" });
  });

  it("refuses revoked keys, disabled consumers and missing scopes, in that order", async () => {
    const enabled = await world.addConsumer();
    const disabled = await world.addConsumer({ disabled: true });
    const revoked = await world.addKey(disabled.id, { scopes: [] });
    await world.updateKey(revoked.key.id, { status: "revoked", revokedAt: world.clock.now() });
    const ofDisabled = await world.addKey(disabled.id, { scopes: [] });
    const readOnly = await world.addKey(enabled.id, { scopes: ["read"] });

    expect(await verifier.verify(revoked.secret, ["trade"])).toMatchObject({
      valid: false,
      code: "KEY_REVOKED",
    });
    expect(await verifier.verify(ofDisabled.secret, ["trade"])).toMatchObject({
      valid: false,
      code: "CONSUMER_DISABLED",
      consumerId: disabled.id,
    });
    expect(await verifier.verify(readOnly.secret, ["read", "trade"])).toMatchObject({
      valid: false,
      code: "SCOPE_DENIED",
      keyId: readOnly.key.id,
    });
    // The same cached entry answers another route's scopes.
    expect(verifier.verify(readOnly.secret, ["read"])).toMatchObject({ valid: true });
  });

  it("coalesces concurrent misses for one secret into a single store read", async () => {
    const consumer = await world.addConsumer();
    const { secret } = await world.addKey(consumer.id, { scopes: ["read"] });
    store.hold();
    const pending = Array.from({ length: 50 }, (_, i) =>
      verifier.verify(secret, i % 2 === 0 ? ["read"] : ["trade"]),
    );
    store.release();
    const outcomes = await Promise.all(pending);
    expect(store.reads).toBe(1);
    expect(outcomes.filter((o) => o.valid)).toHaveLength(25);
    expect(outcomes.filter((o) => o.code === "SCOPE_DENIED")).toHaveLength(25);
    expect(verifier.stats()).toMatchObject({ misses: 50, coalesced: 49 });
  });

  it("remembers unknown hashes briefly, then asks the store again", async () => {
    const secret = unknownSecret();
    expect(await verifier.verify(secret, [])).toMatchObject({ valid: false, code: "KEY_NOT_FOUND" });
    expect(verifier.verify(secret, [])).toMatchObject({ valid: false, code: "KEY_NOT_FOUND" });
    expect(store.reads).toBe(1);
    world.clock.advance(2_000);
    expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_NOT_FOUND" });
    expect(store.reads).toBe(2);
  });

  it("finds a new key at once when the change names its hash, despite a negative entry", async () => {
    const consumer = await world.addConsumer();
    const secret = unknownSecret();
    // A request raced the key's creation: "unknown" is cached for its hash.
    expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_NOT_FOUND" });
    await world.addKey(consumer.id, { secret });
    expect(verifier.verify(secret, [])).toMatchObject({ code: "KEY_NOT_FOUND" });
    verifier.applyChange(change({ hashes: [nodeHasher.sha256Hex(secret)] }));
    expect(await verifier.verify(secret, [])).toMatchObject({ valid: true, code: "VALID" });
  });

  it("drops entries named by key id, consumer id or all, and keeps the others", async () => {
    const a = await world.addConsumer();
    const b = await world.addConsumer();
    const a1 = await world.addKey(a.id);
    const a2 = await world.addKey(a.id);
    const b1 = await world.addKey(b.id);
    for (const { secret } of [a1, a2, b1]) await verifier.verify(secret, []);
    expect(store.reads).toBe(3);

    await world.updateKey(a1.key.id, { status: "revoked", revokedAt: world.clock.now() });
    expect(verifier.verify(a1.secret, [])).toMatchObject({ valid: true }); // stale until the change arrives
    verifier.applyChange(change({ keyIds: [a1.key.id] }));
    expect(await verifier.verify(a1.secret, [])).toMatchObject({ valid: false, code: "KEY_REVOKED" });
    expect(store.reads).toBe(4);

    await world.updateConsumer(a.id, { disabled: true });
    verifier.applyChange(change({ consumerIds: [a.id] }));
    expect(verifier.verify(a2.secret, [])).toBeInstanceOf(Promise);
    expect(await verifier.verify(a2.secret, [])).toMatchObject({ code: "CONSUMER_DISABLED" });
    expect(verifier.verify(b1.secret, [])).toMatchObject({ valid: true }); // untouched: still a sync hit

    verifier.applyChange(change({ all: true }));
    expect(verifier.stats().entries).toBe(0);
    expect(await verifier.verify(b1.secret, [])).toMatchObject({ valid: true });
  });

  it("does not cache a read that raced an invalidation", async () => {
    const consumer = await world.addConsumer();
    const { secret, key } = await world.addKey(consumer.id);
    store.hold();
    const racing = verifier.verify(secret, []);
    await world.updateKey(key.id, { status: "revoked", revokedAt: world.clock.now() });
    verifier.applyChange(change({ keyIds: [key.id] }));
    store.release();
    await racing; // it read before the change; whatever it saw must not stay cached
    expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
    expect(store.reads).toBe(2);
  });

  describe("revocation fences", () => {
    const fence = (keyIds: string[]) => change({ id: "chg_f.fence", keyIds, fence: "revoke" });
    const lift = (keyIds: string[]) => change({ id: "chg_f.lift", keyIds, fence: "lift" });
    const release = (keyIds: string[]) => change({ id: "chg_f.release", keyIds, fence: "release" });

    it("refuses a cached key at once, from the cache, before the store says revoked", async () => {
      const consumer = await world.addConsumer();
      const fenced = await world.addKey(consumer.id);
      const other = await world.addKey(consumer.id);
      await verifier.verify(fenced.secret, []);
      await verifier.verify(other.secret, []);
      verifier.applyChange(fence([fenced.key.id]));

      expect(verifier.verify(fenced.secret, [])).toMatchObject({ valid: false, code: "KEY_REVOKED" });
      expect(verifier.verify(other.secret, [])).toMatchObject({ valid: true });
      expect(store.reads).toBe(2); // no read: the fence is checked against the cached row
      expect(verifier.stats().fencedKeys).toBe(1);
    });

    it("refuses a fenced key read from the store meanwhile, and from the cache after that read", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      verifier.applyChange(fence([key.id]));
      expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" }); // the store still says active
      expect(verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
      expect(store.reads).toBe(1);
    });

    it("refuses a read that was in flight when the fence arrived", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      store.hold();
      const racing = verifier.verify(secret, []);
      verifier.applyChange(fence([key.id]));
      store.release();
      expect(await racing).toMatchObject({ code: "KEY_REVOKED" });
      expect(verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
    });

    it("accepts the key again after a lift (the revocation did not commit)", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      await verifier.verify(secret, []);
      verifier.applyChange(fence([key.id]));
      expect(verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
      verifier.applyChange(lift([key.id]));
      expect(await verifier.verify(secret, [])).toMatchObject({ valid: true });
      expect(verifier.stats().fencedKeys).toBe(0);
    });

    it("accepts the key again from its cached entry after a release (refused before anything was written), store down or not", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      await verifier.verify(secret, []);
      verifier.applyChange(fence([key.id]));
      expect(verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
      store.down = true;
      verifier.applyChange(release([key.id]));
      expect(verifier.verify(secret, [])).toMatchObject({ valid: true }); // synchronously: no read
      expect(verifier.stats().fencedKeys).toBe(0);
    });

    it("a lift, unlike a release, drops the cached entry: the commit may have happened", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      await verifier.verify(secret, []);
      verifier.applyChange(fence([key.id]));
      await world.updateKey(key.id, { status: "revoked", revokedAt: world.clock.now() }); // committed after all
      verifier.applyChange(lift([key.id]));
      expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
    });

    it("drops a fence that runs out: a node that fenced and died refuses only for fenceMs", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      const fencing = new Verifier({ store, clock: world.clock, hasher, fenceMs: 1_000 });
      await fencing.verify(secret, []);
      fencing.applyChange(fence([key.id]));
      world.clock.advance(999);
      expect(fencing.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
      world.clock.advance(1);
      expect(await fencing.verify(secret, [])).toMatchObject({ valid: true });
      expect(fencing.stats().fencedKeys).toBe(0);
    });

    it("refuses a read that started under the fence and ends after the committed change", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      verifier.applyChange(fence([key.id]));
      store.holdAnswers();
      const racing = verifier.verify(secret, []); // reads "active": the revocation is not committed yet
      await world.updateKey(key.id, { status: "revoked", revokedAt: world.clock.now() });
      verifier.applyChange(change({ keyIds: [key.id] }));
      store.release();
      expect(await racing).toMatchObject({ code: "KEY_REVOKED" });
    });

    it("after the committed change the key is refused from the store, fence or not", async () => {
      const consumer = await world.addConsumer();
      const { secret, key } = await world.addKey(consumer.id);
      await verifier.verify(secret, []);
      verifier.applyChange(fence([key.id]));
      await world.updateKey(key.id, { status: "revoked", revokedAt: world.clock.now() });
      verifier.applyChange(change({ keyIds: [key.id] }));
      expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
      world.clock.advance(60_000); // the fence has run out; the store answers alone
      expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
    });
  });

  it("answers STORE_UNAVAILABLE for uncached keys when the store is down, and cached keys still pass", async () => {
    const consumer = await world.addConsumer();
    const cached = await world.addKey(consumer.id);
    const uncached = await world.addKey(consumer.id);
    await verifier.verify(cached.secret, []);
    store.down = true;

    expect(await verifier.verify(uncached.secret, [])).toMatchObject({
      valid: false,
      code: "STORE_UNAVAILABLE",
    });
    expect(verifier.verify(cached.secret, [])).toMatchObject({ valid: true });
    // Past its TTL the entry is re-read; with the store down it is still answered (stale-if-error)...
    world.clock.advance(30_000);
    expect(await verifier.verify(cached.secret, [])).toMatchObject({ valid: true });
    expect(verifier.stats().staleAnswers).toBe(1);
    // ...but never beyond the stale window.
    world.clock.advance(300_000);
    expect(await verifier.verify(cached.secret, [])).toMatchObject({ code: "STORE_UNAVAILABLE" });
  });

  it("gives up on a store read that hangs, and reads afresh next time", async () => {
    const consumer = await world.addConsumer();
    const { secret } = await world.addKey(consumer.id);
    const impatient = new Verifier({ store, clock: world.clock, hasher, storeTimeoutMs: 30 });
    store.hold();
    expect(await impatient.verify(secret, [])).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect(impatient.stats().storeErrors).toBe(1);
    store.release(); // the hung read finishes late; nothing waits for it any more
    expect(await impatient.verify(secret, [])).toMatchObject({ valid: true });
    expect(store.reads).toBe(2);
  });

  it("recovers when the store comes back", async () => {
    const consumer = await world.addConsumer();
    const { secret } = await world.addKey(consumer.id);
    store.down = true;
    expect(await verifier.verify(secret, [])).toMatchObject({ code: "STORE_UNAVAILABLE" });
    store.down = false;
    expect(await verifier.verify(secret, [])).toMatchObject({ valid: true });
  });
});
