import { describe, expect, it } from "vitest";
import { fileConfigSchema } from "../../src/config/config-schema.ts";

describe("config: the gateway section's security settings", () => {
  it("defaults to no trusted proxies, bounded request and header times, and 256 requests in flight per consumer", () => {
    const { gateway } = fileConfigSchema.parse({});
    expect(gateway.trustedProxies).toEqual([]);
    expect(gateway.requestTimeoutMs).toBe(60_000);
    expect(gateway.headersTimeoutMs).toBe(10_000);
    expect(gateway.maxInFlightPerConsumer).toBe(256);
    expect(fileConfigSchema.safeParse({ gateway: { requestTimeoutMs: 0 } }).success).toBe(false);
    expect(fileConfigSchema.safeParse({ gateway: { maxInFlightPerConsumer: 0 } }).success).toBe(false);
  });

  it("accepts IPv4/IPv6 CIDRs and addresses, and reports every bad entry by its index", () => {
    expect(
      fileConfigSchema.parse({ gateway: { trustedProxies: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"] } })
        .gateway.trustedProxies,
    ).toEqual(["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]);
    const result = fileConfigSchema.safeParse({
      gateway: { trustedProxies: ["10.0.0.0/8", "lb.internal", "10.0.0.0/40"] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual([
      "gateway.trustedProxies.1",
      "gateway.trustedProxies.2",
    ]);
  });

  it("has no CORS by default; gateway.cors gets defaults and refuses credentials with *", () => {
    expect(fileConfigSchema.parse({}).gateway.cors).toBeUndefined();
    expect(
      fileConfigSchema.parse({ gateway: { cors: { allowedOrigins: ["https://app.example"] } } }).gateway.cors,
    ).toEqual({
      allowedOrigins: ["https://app.example"],
      allowedMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
      allowedHeaders: ["x-api-key", "authorization", "content-type"],
      exposedHeaders: [],
      maxAgeSeconds: 600,
      allowCredentials: false,
    });
    expect(
      fileConfigSchema.safeParse({ gateway: { cors: { allowedOrigins: ["*"], allowCredentials: true } } })
        .success,
    ).toBe(false);
    expect(
      fileConfigSchema.safeParse({ gateway: { cors: { allowedOrigins: ["https://app.example/path"] } } })
        .success,
    ).toBe(false);
  });
});
