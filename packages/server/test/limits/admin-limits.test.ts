import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildAdminApp } from "../../src/admin/admin-app.ts";
import { ensureBootstrapToken } from "../../src/admin/admin-tokens.ts";
import { LocalChangeBus } from "../../src/cluster/local/local-change-bus.ts";
import { Limiter } from "../../src/limits/limiter.ts";
import { MemoryCounterStore } from "../../src/limits/memory-counter-store.ts";
import { cryptoRandom, nodeHasher } from "../../src/platform/node-platform.ts";
import type { ServiceDeps } from "../../src/services/service-deps.ts";
import { MemoryKeyStore } from "../../src/store/memory/memory-key-store.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import { ManualClock, RecordingLog } from "./support/limits-fixtures.ts";

const T0 = Date.UTC(2026, 2, 4, 10, 15, 18);

interface Admin {
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  call(
    method: "GET" | "POST" | "PUT" | "PATCH",
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const opened: Admin[] = [];
afterEach(async () => {
  for (const admin of opened.splice(0)) await admin.close();
});

/** The admin API over a memory store with the node's limiter wired as in `startKeygate`. */
async function startAdmin(): Promise<Admin> {
  const clock = new ManualClock(T0);
  const store = new MemoryKeyStore({ hasher: nodeHasher });
  const bus = new LocalChangeBus();
  const deps: ServiceDeps = { store, clock, random: cryptoRandom, hasher: nodeHasher, bus };
  const verifier = new Verifier({ store, clock, hasher: nodeHasher });
  const limiter = new Limiter({
    counters: new MemoryCounterStore({ clock }),
    plans: store,
    clock,
    logger: new RecordingLog(),
  });
  await limiter.start();
  const unsubscribe = bus.subscribe((change) => {
    verifier.applyChange(change);
    if (change.all) limiter.plansChanged();
  });
  const { token } = await ensureBootstrapToken({ deps });
  const app = await buildAdminApp({
    deps,
    propagation: bus,
    verify: (secret, scopes, clientIp) => verifier.verify(secret, scopes, clientIp),
    ready: async () => true,
    metrics: async () => limiter.metricsText(),
    limits: limiter,
  });
  const admin: Admin = {
    app,
    clock,
    async call(method, url, body) {
      const response = await app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: response.statusCode, body: response.body === "" ? null : JSON.parse(response.body) };
    },
    async close() {
      await app.close();
      unsubscribe();
      await limiter.close();
    },
  };
  opened.push(admin);
  return admin;
}

async function consumerWithKey(admin: Admin, plan: string | undefined) {
  const consumer = await admin.call(
    "POST",
    "/v1/consumers",
    plan === undefined ? { name: "acme" } : { name: "acme", plan },
  );
  expect(consumer.status).toBe(201);
  const key = await admin.call("POST", `/v1/consumers/${consumer.body.id}/keys`, { name: "main" });
  expect(key.status).toBe(201);
  return {
    consumerId: String(consumer.body.id),
    keyId: (key.body.key as { id: string }).id,
    secret: String(key.body.secret),
  };
}

describe("POST /v1/verify with limits", () => {
  it("charges the cost (default 1), reports ratelimit, and answers 200 valid:false RATE_LIMITED past the limit", async () => {
    const admin = await startAdmin();
    expect(
      (await admin.call("PUT", "/v1/plans/pro", { rateLimit: { limit: 4, windowSeconds: 60 } })).status,
    ).toBe(200);
    const { secret, consumerId, keyId } = await consumerWithKey(admin, "pro");

    const first = await admin.call("POST", "/v1/verify", { key: secret });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      valid: true,
      code: "VALID",
      consumerId,
      ratelimit: {
        allowed: true,
        cost: 1,
        policies: [
          {
            name: "minute",
            kind: "rate",
            limit: 4,
            remaining: 3,
            windowSeconds: 60,
            resetAt: "2026-03-04T10:16:00.000Z",
          },
        ],
        headers: { "RateLimit-Policy": '"minute";q=4;w=60', RateLimit: '"minute";r=3;t=42' },
      },
    });
    expect((await admin.call("POST", "/v1/verify", { key: secret, cost: 3 })).body).toMatchObject({
      ratelimit: { policies: [{ remaining: 0 }] },
    });
    const limited = await admin.call("POST", "/v1/verify", { key: secret });
    expect(limited.status).toBe(200);
    expect(limited.body).toMatchObject({
      valid: false,
      code: "RATE_LIMITED",
      keyId,
      consumerId,
      ratelimit: { allowed: false, retryAfterSeconds: 42, policies: [{ remaining: 0 }] },
    });
    // cost 0 charges nothing: it reports where the consumer stands.
    expect((await admin.call("POST", "/v1/verify", { key: secret, cost: 0 })).body).toMatchObject({
      valid: true,
      ratelimit: { allowed: true, cost: 0, policies: [{ remaining: 0 }] },
    });
  });

  it("omits ratelimit for a consumer without a plan and for an invalid key", async () => {
    const admin = await startAdmin();
    const { secret } = await consumerWithKey(admin, undefined);
    const answer = await admin.call("POST", "/v1/verify", { key: secret });
    expect(answer.body.valid).toBe(true);
    expect(answer.body.ratelimit).toBeUndefined();
    const bad = await admin.call("POST", "/v1/verify", { key: "kg_live_nope" });
    expect(bad.body).toEqual({ valid: false, code: "KEY_MALFORMED" });
  });

  it("applies a plan edit to the very next verification", async () => {
    const admin = await startAdmin();
    await admin.call("PUT", "/v1/plans/pro", { rateLimit: { limit: 1, windowSeconds: 60 } });
    const { secret } = await consumerWithKey(admin, "pro");
    expect((await admin.call("POST", "/v1/verify", { key: secret })).body.valid).toBe(true);
    expect((await admin.call("POST", "/v1/verify", { key: secret })).body.code).toBe("RATE_LIMITED");
    await admin.call("PUT", "/v1/plans/pro", { rateLimit: { limit: 2, windowSeconds: 60 } });
    expect((await admin.call("POST", "/v1/verify", { key: secret })).body.valid).toBe(true);
    expect((await admin.call("POST", "/v1/verify", { key: secret })).body.code).toBe("RATE_LIMITED");
  });
});

describe("GET /v1/consumers/{id}/usage", () => {
  it("shows the plan, what is left of the rate window and what is used of the quota", async () => {
    const admin = await startAdmin();
    await admin.call("PUT", "/v1/plans/free", {
      rateLimit: { limit: 10, windowSeconds: 60 },
      quota: { limit: 5000, period: "month" },
    });
    const { secret, consumerId } = await consumerWithKey(admin, "free");
    for (let i = 0; i < 3; i++) await admin.call("POST", "/v1/verify", { key: secret, cost: 4 });
    const usage = await admin.call("GET", `/v1/consumers/${consumerId}/usage`);
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual({
      consumerId,
      plan: {
        name: "free",
        rateLimit: { limit: 10, windowSeconds: 60 },
        quota: { limit: 5000, period: "month" },
      },
      rateLimit: { limit: 10, remaining: 2, resetAt: "2026-03-04T10:16:00.000Z" },
      quota: { limit: 5000, used: 8, period: "month", resetAt: "2026-04-01T00:00:00.000Z" },
    });
  });

  it("answers nulls for a consumer without a plan, 404 for an unknown one", async () => {
    const admin = await startAdmin();
    const { consumerId } = await consumerWithKey(admin, undefined);
    expect((await admin.call("GET", `/v1/consumers/${consumerId}/usage`)).body).toEqual({
      consumerId,
      plan: null,
      rateLimit: null,
      quota: null,
    });
    const missing = await admin.call("GET", "/v1/consumers/con_0V70MWDgEjExtokM1T5ObJ/usage");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("NOT_FOUND");
  });
});
