import { beforeEach, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import { CountingKeyStore, KeyWorld } from "./key-world.ts";

/**
 * A node cut off from the change bus cannot hear revocations. Its cache is
 * cleared and new entries live 1 s; and when the store fails too, nothing is
 * answered stale: a stale entry could be a key revoked meanwhile.
 */
describe("Verifier while the change bus is lost", () => {
  let world: KeyWorld;
  let store: CountingKeyStore;
  let verifier: Verifier;

  beforeEach(() => {
    world = new KeyWorld();
    store = new CountingKeyStore(world.store);
    verifier = new Verifier({ store, clock: world.clock, hasher: nodeHasher, ttlMs: 30_000 });
  });

  it("drops cached answers and keeps new ones for 1 s only", async () => {
    const consumer = await world.addConsumer();
    const { secret, key } = await world.addKey(consumer.id);
    await verifier.verify(secret, []);
    verifier.setBusConnected(false);
    expect(verifier.stats().entries).toBe(0);
    expect(await verifier.verify(secret, [])).toMatchObject({ valid: true });
    expect(store.reads).toBe(2);
    // Revoked meanwhile, with no change reaching this node: refused once the short TTL runs out.
    await world.updateKey(key.id, { status: "revoked", revokedAt: world.clock.now(), revokedReason: "x" });
    expect(verifier.verify(secret, [])).toMatchObject({ valid: true });
    world.clock.advance(1001);
    expect(await verifier.verify(secret, [])).toMatchObject({ code: "KEY_REVOKED" });
  });

  it("answers nothing stale when the store fails too, and stale again once the bus is back", async () => {
    const consumer = await world.addConsumer();
    const { secret } = await world.addKey(consumer.id);
    verifier.setBusConnected(false);
    await verifier.verify(secret, []);
    store.down = true;
    world.clock.advance(1001);
    expect(await verifier.verify(secret, [])).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect(verifier.stats().staleAnswers).toBe(0);

    // Control: the same outage with the bus connected is answered stale.
    store.down = false;
    verifier.setBusConnected(true);
    await verifier.verify(secret, []);
    store.down = true;
    world.clock.advance(30_001);
    expect(await verifier.verify(secret, [])).toMatchObject({ valid: true });
    expect(verifier.stats().staleAnswers).toBe(1);
  });
});
