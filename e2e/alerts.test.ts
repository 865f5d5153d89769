/**
 * "Rotation that runs itself", proof 3: `key.deprecated_in_use` and
 * `key.sunset_approaching` arrive when an old key is still used; a due key
 * (request-rotation, and a consumer's rotation policy) carries `Deprecation`
 * and `Sunset`; repeated authentication failures raise `auth.failure_spike`
 * and get throttled. Real processes on loopback, SQLite; alerts read back
 * through `GET /v1/alerts`.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeySecret, keyHint } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY = 86_400_000;

interface Alert {
  id: string;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

describe("alerts and due keys on a real node", () => {
  let stack: KeygateStack;
  let configDir: string;

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), "keygate-alerts-config-"));
    const configFile = join(configDir, "keygate.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        jobs: { intervalMs: 500, policyIntervalMs: 500 },
        alerts: { failureSpikePerMinute: 5, throttleFailuresPerMinute: 10 },
      }),
    );
    stack = await startStack({ configFile });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  const call = (secret: string) =>
    fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, { headers: { "x-api-key": secret } });

  async function consumerWithKey(body: Record<string, unknown> = {}) {
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: "alerts", ...body });
    expect(consumer.status).toBe(201);
    const created = await stack.admin<{ key: { id: string; createdAt: string }; secret: string }>(
      "POST",
      `/v1/consumers/${consumer.body.id}/keys`,
      { name: "App" },
    );
    expect(created.status).toBe(201);
    return created.body;
  }

  async function alerts(): Promise<Alert[]> {
    const all: Alert[] = [];
    let after: string | null = null;
    do {
      const page: { status: number; body: { data: Alert[]; next: string | null } } = await stack.admin(
        "GET",
        `/v1/alerts?limit=1000${after === null ? "" : `&after=${after}`}`,
      );
      expect(page.status).toBe(200);
      all.push(...page.body.data);
      after = page.body.next;
    } while (after !== null);
    return all;
  }

  async function waitForAlert(match: (alert: Alert) => boolean, timeoutMs = 10_000): Promise<Alert> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await alerts()).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error("alert did not arrive in time");
      await sleep(200);
    }
  }

  it("key.deprecated_in_use and both key.sunset_approaching checkpoints arrive while an old key is still used", async () => {
    const { key, secret } = await consumerWithKey();
    const rotated = await stack.admin<{ rotation: { id: string; sunsetAt: string } }>(
      "POST",
      `/v1/keys/${key.id}/rotate`,
      { overlapSeconds: 30 },
    );
    expect(rotated.status).toBe(201);
    const { id: rotationId, sunsetAt } = rotated.body.rotation;
    const res = await call(secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("sunset")).toBe(new Date(sunsetAt).toUTCString());

    const inUse = await waitForAlert((a) => a.type === "key.deprecated_in_use" && a.data.keyId === key.id);
    expect(inUse.data).toMatchObject({ rotationId, consumerId: expect.stringMatching(/^con_/) });
    // An overlap shorter than an hour passes the 1 h checkpoint at once.
    const lastHour = await waitForAlert(
      (a) =>
        a.type === "key.sunset_approaching" && a.data.rotationId === rotationId && a.data.checkpoint === "1h",
    );
    expect(lastHour.data).toMatchObject({ keyId: key.id, sunsetAt: new Date(sunsetAt).toISOString() });

    // The last 10 % of the overlap (3 s): the client is still on the old key.
    await sleep(Math.max(0, Date.parse(sunsetAt) - 2_700 - Date.now()));
    for (let i = 0; i < 4; i++) {
      expect((await call(secret)).status).toBe(200);
      await sleep(300);
    }
    const lastTenth = await waitForAlert(
      (a) =>
        a.type === "key.sunset_approaching" &&
        a.data.rotationId === rotationId &&
        a.data.checkpoint === "10%",
    );
    expect(Number(lastTenth.data.remainingSeconds)).toBeLessThanOrEqual(3);
    const all = await alerts();
    // Once each: the hourly in-use alert and each checkpoint.
    expect(all.filter((a) => a.type === "key.deprecated_in_use" && a.data.keyId === key.id)).toHaveLength(1);
    expect(
      all.filter((a) => a.type === "key.sunset_approaching" && a.data.rotationId === rotationId),
    ).toHaveLength(2);
  }, 60_000);

  it("a key due by request-rotation carries Deprecation (now) and Sunset on every gateway response", async () => {
    const { key, secret } = await consumerWithKey();
    const sunsetAt = new Date(Date.now() + 3_600_000);
    const requested = await stack.admin("POST", `/v1/keys/${key.id}/request-rotation`, {
      sunsetAt: sunsetAt.toISOString(),
    });
    expect(requested.status).toBe(200);
    const res = await call(secret);
    expect(res.status).toBe(200);
    const deprecation = Number(res.headers.get("deprecation")?.slice(1));
    expect(Math.abs(deprecation * 1000 - Date.now())).toBeLessThan(10_000);
    expect(res.headers.get("sunset")).toBe(sunsetAt.toUTCString());
    expect(res.headers.get("link")).toMatch(/rel="deprecation"/);
    const due = await waitForAlert((a) => a.type === "key.rotation_due" && a.data.keyId === key.id);
    expect(due.data.reason).toBe("requested");
  });

  it("a consumer's rotation policy marks its key due: key.rotation_due, Deprecation at the due date ahead, Sunset one overlap later", async () => {
    // Due one day after creation, announced one day ahead: due at once, with the due date in the future.
    const { key, secret } = await consumerWithKey({
      rotationPolicy: { maxAgeDays: 1, notifyBeforeDays: 1, overlapSeconds: 3600 },
    });
    const dueAt = Date.parse(key.createdAt) + DAY;
    const due = await waitForAlert((a) => a.type === "key.rotation_due" && a.data.keyId === key.id);
    expect(due.data).toMatchObject({
      reason: "policy",
      dueAt: new Date(dueAt).toISOString(),
      sunsetAt: new Date(dueAt + 3_600_000).toISOString(),
    });
    // The policy's change reaches the gateway's cache through the bus: the next response carries both headers.
    const res = await call(secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("deprecation")).toBe(`@${Math.floor(dueAt / 1000)}`);
    expect(res.headers.get("sunset")).toBe(new Date(dueAt + 3_600_000).toUTCString());
    const { body: stored } = await stack.admin<{ status: string; deprecatedAt: string }>(
      "GET",
      `/v1/keys/${key.id}`,
    );
    expect(stored).toMatchObject({ status: "active", deprecatedAt: new Date(dueAt).toISOString() });
  });

  it("serves the verification latency histogram, cache hit ratio and propagation lag on the admin port only", async () => {
    // Not on the public gateway port (security review, finding 7; packages/server/test/gateway/gateway-ops.test.ts).
    // Not asked here: a 401 from this client would count towards the failure throttle of the next test.
    for (const base of [stack.adminUrl]) {
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toMatch(/^keygate_gateway_requests_total\{outcome="VALID"\} [1-9]/m);
      expect(text).toContain("# TYPE keygate_verify_duration_seconds histogram");
      expect(text).toMatch(/^keygate_verifications_total\{outcome="VALID"\} [1-9]/m);
      expect(text).toMatch(/^keygate_verify_cache_hit_ratio 0?\.\d+|^keygate_verify_cache_hit_ratio [01]$/m);
      expect(text).toMatch(/^keygate_propagation_lag_seconds_count [1-9]/m);
      expect(text).toContain("keygate_alerts_total");
    }
  });

  // Last: it throttles 127.0.0.1, which every other test calls from, for the rest of the minute.
  it("repeated authentication failures raise auth.failure_spike (by client IP and key hint) and are throttled with 429", async () => {
    // Keep the burst inside one clock minute: the counts are per minute.
    if (Date.now() % 60_000 > 45_000) await sleep(60_000 - (Date.now() % 60_000) + 100);
    const { secret } = await consumerWithKey();
    // Well-formed, unknown to the store: KEY_NOT_FOUND, counted by client IP and by its hint.
    const unknown = generateKeySecret({ bytes: (n) => randomBytes(n) }, "live");
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${stack.gatewayUrl}/v2/trader-grades`, { headers: { "x-api-key": unknown } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    expect(statuses.slice(0, 11).every((s) => s === 401)).toBe(true);
    expect(statuses[11]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    // Throttled before any lookup: even a valid key from this client waits.
    const blocked = await call(secret);
    expect(blocked.status).toBe(429);
    expect(((await blocked.json()) as { code: string }).code).toBe("RATE_LIMITED");

    const spike = await waitForAlert(
      (a) => a.type === "auth.failure_spike" && a.data.dimension === "clientIp",
    );
    expect(spike.data).toMatchObject({ clientIp: "127.0.0.1", threshold: 5 });
    expect(Number(spike.data.failuresPerMinute)).toBeGreaterThan(5);
    const byHint = await waitForAlert(
      (a) => a.type === "auth.failure_spike" && a.data.dimension === "keyHint",
    );
    expect(byHint.data.keyHint).toBe(keyHint(unknown));
    expect(JSON.stringify(await alerts())).not.toContain(unknown);
  });
});
