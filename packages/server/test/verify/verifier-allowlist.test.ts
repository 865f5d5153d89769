import { describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import { KeyWorld } from "./key-world.ts";

function setup() {
  const world = new KeyWorld();
  const verifier = new Verifier({
    store: world.store,
    clock: world.clock,
    hasher: nodeHasher,
    ttlMs: 30_000,
  });
  return { world, verifier };
}

describe("Verifier with a key's IP allowlist", () => {
  it("lets the key in from an allowed IPv4 or IPv6 address and refuses others with IP_NOT_ALLOWED, from the store and the cache alike", async () => {
    const { world, verifier } = setup();
    const consumer = await world.addConsumer();
    const { secret, key } = await world.addKey(consumer.id, {
      allowedIps: ["203.0.113.0/24", "2001:db8::/32"],
    });
    // First answer from a store read, the rest from the cache.
    expect(await verifier.verify(secret, [], "203.0.113.10")).toMatchObject({ valid: true });
    expect(verifier.verify(secret, [], "2001:db8:5::1")).toMatchObject({ valid: true });
    expect(verifier.verify(secret, [], "::ffff:203.0.113.99")).toMatchObject({ valid: true });
    for (const ip of ["198.51.100.1", "2001:db9::1", "127.0.0.1", undefined]) {
      expect(verifier.verify(secret, [], ip), String(ip)).toMatchObject({
        valid: false,
        code: "IP_NOT_ALLOWED",
        keyId: key.id,
        consumerId: consumer.id,
      });
    }
    // A fresh verifier refuses on its very first (store) answer too.
    const cold = new Verifier({ store: world.store, clock: world.clock, hasher: nodeHasher });
    expect(await cold.verify(secret, [], "198.51.100.1")).toMatchObject({ code: "IP_NOT_ALLOWED" });
  });

  it("checks validity first: a revoked key is KEY_REVOKED from anywhere", async () => {
    const { world, verifier } = setup();
    const consumer = await world.addConsumer();
    const { secret, key } = await world.addKey(consumer.id, { allowedIps: ["203.0.113.0/24"] });
    await world.updateKey(key.id, { status: "revoked", revokedAt: world.clock.now(), revokedReason: "test" });
    expect(await verifier.verify(secret, [], "198.51.100.1")).toMatchObject({ code: "KEY_REVOKED" });
  });

  it("a key without a list is valid from any address, and from an unknown one", async () => {
    const { world, verifier } = setup();
    const consumer = await world.addConsumer();
    const { secret } = await world.addKey(consumer.id);
    expect(await verifier.verify(secret, [], undefined)).toMatchObject({ valid: true });
    expect(verifier.verify(secret, [], "198.51.100.1")).toMatchObject({ valid: true });
  });

  it("a changed list reaches the cache through the change bus", async () => {
    const { world, verifier } = setup();
    const consumer = await world.addConsumer();
    const { secret, key } = await world.addKey(consumer.id, { allowedIps: ["203.0.113.0/24"] });
    expect(await verifier.verify(secret, [], "198.51.100.1")).toMatchObject({ code: "IP_NOT_ALLOWED" });
    await world.updateKey(key.id, { allowedIps: ["198.51.100.0/24"] });
    verifier.applyChange({ id: "chg_1", at: 0, keyIds: [key.id], consumerIds: [], hashes: [], all: false });
    expect(await verifier.verify(secret, [], "198.51.100.1")).toMatchObject({ valid: true });
    expect(verifier.verify(secret, [], "203.0.113.1")).toMatchObject({ code: "IP_NOT_ALLOWED" });
  });
});
