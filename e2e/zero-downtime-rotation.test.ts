/**
 * Issue 2, proof 1: 16 concurrent clients call through the gateway while one
 * key lineage is rotated 50 times (overlaps 0.5–3 s, every fifth rotation
 * rolled back), and the clients move to each new key at a random moment
 * inside its overlap. A request counts against keygate only when its whole
 * life (send → response) lies inside its key's validity, or wholly after the
 * key became invalid; requests that straddle a boundary are reported apart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { runRotationLoad } from "./support/rotation-load.ts";

describe("zero-downtime rotation under load (real processes, SQLite)", () => {
  let stack: KeygateStack;
  const secrets: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("loses no request made with a valid key across 50 rotations and 10 rollbacks", async () => {
    const {
      summary,
      wrongly,
      missingDeprecationHeaders,
      probes,
      secrets: issued,
    } = await runRotationLoad(stack, {
      url: stack.gatewayUrl,
      rotations: 50,
      rollbackEvery: 5,
    });
    secrets.push(...issued);
    const { rollbacks, validOk, deprecatedChecked } = summary;
    console.log("zero-downtime rotation:", JSON.stringify(summary));
    expect(rollbacks).toBe(10);
    expect(wrongly.slice(0, 5).map((s) => ({ status: s.status, code: s.code, error: s.error }))).toEqual([]);
    expect(missingDeprecationHeaders.length).toBe(0);
    expect(validOk).toBeGreaterThan(1000);
    expect(deprecatedChecked).toBeGreaterThan(100);
    expect(probes.every((p) => p.status === 401)).toBe(true);
  }, 240_000);

  it("never writes a secret or the admin token to its logs", async () => {
    const output = stack.node.output();
    expect(output.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(50);
    for (const secret of secrets) expect(output.includes(secret)).toBe(false);
    expect(output.includes(stack.adminToken)).toBe(false);
  });
});
