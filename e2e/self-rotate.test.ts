/** `POST /v1/self/rotate` through the gateway port and the admin port answer alike (DESIGN: Rotation semantics). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";

describe("self-rotation on both ports", () => {
  let stack: KeygateStack;
  let consumerId: string;

  beforeAll(async () => {
    stack = await startStack();
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", {
      name: "self-rotator",
      rotationPolicy: { maxAgeDays: null, overlapSeconds: 3600, notifyBeforeDays: null },
    });
    consumerId = consumer.body.id;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const newKey = async () =>
    (
      await stack.admin<{ secret: string; key: { id: string } }>("POST", `/v1/consumers/${consumerId}/keys`, {
        name: "App",
      })
    ).body;

  for (const port of ["gateway", "admin"] as const) {
    it(`rotates the calling key on the ${port} port, keeping the old one for the policy's overlap`, async () => {
      const { secret } = await newKey();
      const base = port === "gateway" ? stack.gatewayUrl : stack.adminUrl;
      const res = await fetch(`${base}/v1/self/rotate`, { method: "POST", headers: { "x-api-key": secret } });
      expect(res.status).toBe(201);
      const body = (await res.json()) as {
        secret: string;
        key: { version: number };
        rotation: { sunsetAt: string };
      };
      expect(body.key.version).toBe(2);
      const overlap = Date.parse(body.rotation.sunsetAt) - Date.now();
      expect(overlap).toBeGreaterThan(3_590_000);
      expect(overlap).toBeLessThanOrEqual(3_600_000);

      const old = await fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, {
        headers: { "x-api-key": secret },
      });
      expect(old.status).toBe(200);
      expect(old.headers.get("deprecation")).toMatch(/^@\d+$/);
      const successor = await fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, {
        headers: { authorization: `Bearer ${body.secret}` },
      });
      expect(successor.status).toBe(200);
      expect(successor.headers.get("deprecation")).toBeNull();

      const again = await fetch(`${base}/v1/self/rotate`, {
        method: "POST",
        headers: { "x-api-key": secret },
      });
      expect(again.status).toBe(409);
      expect(again.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(((await again.json()) as { code: string }).code).toBe("CONFLICT");
    });
  }

  it("refuses a self-rotation without a valid key on the gateway port", async () => {
    const missing = await fetch(`${stack.gatewayUrl}/v1/self/rotate`, { method: "POST" });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(((await missing.json()) as { code: string }).code).toBe("KEY_MISSING");
    const malformed = await fetch(`${stack.gatewayUrl}/v1/self/rotate`, {
      method: "POST",
      headers: { "x-api-key": "kg_live_nope" },
    });
    expect(((await malformed.json()) as { code: string }).code).toBe("KEY_MALFORMED");
  });
});
