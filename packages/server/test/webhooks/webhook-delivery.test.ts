import { randomBytes } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { issueKey } from "../../src/services/issue-key.ts";
import { revokeKey } from "../../src/services/revoke-key.ts";
import { rotateKey } from "../../src/services/rotate-key.ts";
import {
  createWebhook,
  deleteWebhook,
  redeliver,
  rotateWebhookSecret,
} from "../../src/webhooks/webhook-service.ts";
import { type ReceivedRequest, WebhookReceiver } from "./support/webhook-receiver.ts";
import { ADMIN, createWebhookWorld, type WebhookWorld } from "./support/webhook-world.ts";

/** Verifies with the `standardwebhooks` package, as a receiver would; returns the parsed payload. */
function verify(
  secret: string,
  request: ReceivedRequest,
): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new StandardWebhook(secret).verify(request.body, request.headers) as {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
  };
}

const otherSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

describe("webhook delivery to a real receiver", () => {
  let w: WebhookWorld;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    w = await createWebhookWorld();
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await receiver.stop();
    await w.close();
  });

  async function deliveriesOf(webhookId: string) {
    return w.store.listDeliveries({ webhookId, limit: 1000 });
  }

  it("delivers every subscribed event, signed so the standardwebhooks package verifies it, with no secret inside", async () => {
    const all = await createWebhook(w.deps, w.admin, ADMIN, { url: receiver.url, events: ["*"] });
    const revokedOnly = await createWebhook(w.deps, w.admin, ADMIN, {
      url: `${receiver.url}?only=revoked`,
      events: ["key.revoked"],
    });
    const consumerId = await w.consumerId();
    const issued = await issueKey(w.deps, ADMIN, consumerId, { name: "prod" });
    const rotated = await rotateKey(w.deps, ADMIN, issued.key.id, { overlapSeconds: 60 });
    await revokeKey(w.deps, ADMIN, rotated.key.id, "compromised");

    await w.until(async () => {
      const ds = [...(await deliveriesOf(all.webhook.id)), ...(await deliveriesOf(revokedOnly.webhook.id))];
      return ds.length > 0 && ds.every((d) => d.status === "delivered");
    });

    const toAll = receiver.received.filter((r) => r.path === "/hooks/keygate");
    const types = toAll.map((r) => verify(all.secret, r).type).sort();
    expect(types).toEqual(["key.created", "key.revoked", "key.rotated"]);
    const toRevokedOnly = receiver.received.filter((r) => r.path.endsWith("?only=revoked"));
    expect(toRevokedOnly.map((r) => verify(revokedOnly.secret, r).type)).toEqual(["key.revoked"]);
    // Each endpoint's own secret: the other one's does not verify.
    expect(() => verify(all.secret, toRevokedOnly[0] as ReceivedRequest)).toThrow();

    const deliveries = await deliveriesOf(all.webhook.id);
    for (const request of toAll) {
      const payload = verify(all.secret, request);
      const delivery = deliveries.find((d) => d.eventId === request.headers["webhook-id"]);
      expect(delivery?.eventType).toBe(payload.type);
      expect(request.headers["content-type"]).toBe("application/json");
      expect(Number(request.headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -2);
      expect(Date.parse(payload.timestamp)).toBeGreaterThan(0);
      expect(payload.data).toBeTypeOf("object");
      for (const secret of [issued.secret, rotated.secret, all.secret])
        expect(request.body).not.toContain(secret);
    }
    expect(
      verify(all.secret, toAll.find((r) => r.body.includes("key.rotated")) as ReceivedRequest).data,
    ).toMatchObject({
      oldKeyId: issued.key.id,
      newKeyId: rotated.key.id,
    });
    const log = w.logLines.join("");
    expect(log).toContain("webhook delivered");
    for (const secret of [issued.secret, rotated.secret, all.secret, revokedOnly.secret])
      expect(log).not.toContain(secret);
  });

  it("does not send events from before an endpoint existed", async () => {
    const consumerId = await w.consumerId();
    await issueKey(w.deps, ADMIN, consumerId, { name: "before" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const hook = await createWebhook(w.deps, w.admin, ADMIN, { url: receiver.url, events: ["*"] });
    const after = await issueKey(w.deps, ADMIN, consumerId, { name: "after" });
    await w.until(async () => (await deliveriesOf(hook.webhook.id)).some((d) => d.status === "delivered"));
    await w.pass();
    expect(receiver.received.map((r) => (verify(hook.secret, r).data as { keyId: string }).keyId)).toEqual([
      after.key.id,
    ]);
  });

  it("retries a failing receiver with backoff until it accepts, logging every attempt under one webhook-id", async () => {
    receiver.respond = (_request, index) => (index < 3 ? 500 : 200);
    const hook = await createWebhook(w.deps, w.admin, ADMIN, { url: receiver.url, events: ["key.created"] });
    await issueKey(w.deps, ADMIN, await w.consumerId(), { name: "k" });
    await w.until(async () => (await deliveriesOf(hook.webhook.id))[0]?.status === "delivered");

    expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 500, 200]);
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    for (const request of receiver.received) expect(verify(hook.secret, request).type).toBe("key.created");
    const [delivery] = await deliveriesOf(hook.webhook.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 4, responseStatus: 200, error: null });
    const attempts = await w.store.listAttempts(delivery?.id ?? "");
    expect(attempts.map((a) => [a.attempt, a.ok, a.responseStatus])).toEqual([
      [1, false, 500],
      [2, false, 500],
      [3, false, 500],
      [4, true, 200],
    ]);
    expect(attempts[0]?.error).toBe("HTTP 500: receiver says no");
    // Backoff: no retry came before its scheduled delay (50 ms − 20 % jitter).
    for (let i = 1; i < attempts.length; i++) {
      expect((attempts[i]?.at ?? 0) - (attempts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(40);
    }
  });

  it("keeps an event for a receiver that is down and delivers it once the receiver is back", async () => {
    const port = receiver.port;
    const url = receiver.url;
    await receiver.stop();
    const hook = await createWebhook(w.deps, w.admin, ADMIN, { url, events: ["*"] });
    await issueKey(w.deps, ADMIN, await w.consumerId(), { name: "k" });
    await w.until(async () => ((await deliveriesOf(hook.webhook.id))[0]?.attempts ?? 0) >= 3);
    const [pending] = await deliveriesOf(hook.webhook.id);
    expect(pending?.status).toBe("pending");
    expect(pending?.responseStatus).toBeNull();
    expect(pending?.error).toMatch(/ECONNREFUSED|connect/i);

    receiver = await WebhookReceiver.start(port);
    await w.until(async () => (await deliveriesOf(hook.webhook.id))[0]?.status === "delivered");
    expect(receiver.received).toHaveLength(1);
    expect(verify(hook.secret, receiver.received[0] as ReceivedRequest).type).toBe("key.created");
  });

  it("gives up after maxAttempts, and a redelivery sends it again with the same webhook-id", async () => {
    await w.close();
    w = await createWebhookWorld({ retry: { scheduleMs: [20], maxAttempts: 2 } });
    receiver.respond = () => 503;
    const hook = await createWebhook(w.deps, w.admin, ADMIN, { url: receiver.url, events: ["*"] });
    await issueKey(w.deps, ADMIN, await w.consumerId(), { name: "k" });
    await w.until(async () => (await deliveriesOf(hook.webhook.id))[0]?.status === "failed");
    await new Promise((resolve) => setTimeout(resolve, 60));
    await w.pass();
    expect(receiver.received).toHaveLength(2);
    const [failed] = await deliveriesOf(hook.webhook.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 2, responseStatus: 503, nextAttemptAt: null });

    receiver.respond = () => 204;
    const requeued = await redeliver(w.deps, hook.webhook.id, failed?.id ?? "");
    expect(requeued.status).toBe("pending");
    await w.until(async () => (await deliveriesOf(hook.webhook.id))[0]?.status === "delivered");
    expect(receiver.received.map((r) => r.answered)).toEqual([503, 503, 204]);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect((await deliveriesOf(hook.webhook.id))[0]?.attempts).toBe(3);

    // A delivered one may be redelivered too: receivers dedupe on webhook-id.
    await redeliver(w.deps, hook.webhook.id, failed?.id ?? "");
    await w.until(() => receiver.received.length === 4);
    expect(receiver.received[3]?.headers["webhook-id"]).toBe(receiver.received[0]?.headers["webhook-id"]);
  });

  it("signs with both secrets during a rotation overlap, each verifying alone; without overlap only the new one", async () => {
    const hook = await createWebhook(w.deps, w.admin, ADMIN, { url: receiver.url, events: ["key.created"] });
    const rotation = await rotateWebhookSecret(w.deps, ADMIN, hook.webhook.id, 3600);
    expect(rotation.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotation.secret).not.toBe(hook.secret);
    expect(rotation.webhook.secretRotatedAt).not.toBeNull();
    const consumerId = await w.consumerId();
    await issueKey(w.deps, ADMIN, consumerId, { name: "during overlap" });
    await w.until(() => receiver.received.length === 1);
    const during = receiver.received[0] as ReceivedRequest;
    expect(during.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(verify(hook.secret, during).type).toBe("key.created");
    expect(verify(rotation.secret, during).type).toBe("key.created");
    expect(() => verify(otherSecret(), during)).toThrow(/signature/i);

    const immediate = await rotateWebhookSecret(w.deps, ADMIN, hook.webhook.id, 0);
    await issueKey(w.deps, ADMIN, consumerId, { name: "after" });
    await w.until(() => receiver.received.length === 2);
    const after = receiver.received[1] as ReceivedRequest;
    expect(after.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(verify(immediate.secret, after).type).toBe("key.created");
    expect(() => verify(rotation.secret, after)).toThrow();
    expect(() => verify(hook.secret, after)).toThrow();
  });

  it("sends nothing more to a deleted endpoint: its pending deliveries end as failed", async () => {
    receiver.respond = () => 500;
    const hook = await createWebhook(w.deps, w.admin, ADMIN, { url: receiver.url, events: ["*"] });
    await issueKey(w.deps, ADMIN, await w.consumerId(), { name: "k" });
    await w.until(() => receiver.received.length >= 1);
    await deleteWebhook(w.deps, ADMIN, hook.webhook.id);
    const sent = receiver.received.length;
    await w.until(
      async () =>
        (await w.store.listDeliveries({ webhookId: hook.webhook.id, limit: 5 }))[0]?.status === "failed",
    );
    expect(receiver.received.length).toBe(sent);
    const [delivery] = await w.store.listDeliveries({ webhookId: hook.webhook.id, limit: 5 });
    expect(delivery?.error).toBe("webhook deleted or disabled");
  });
});

describe("outbound-address guard at send time", () => {
  it("refuses a name that resolves to a private address by the time of sending (DNS rebinding): no request is made", async () => {
    const receiver = await WebhookReceiver.start();
    let lookups = 0;
    // Registration sees a public address; every later lookup answers loopback, where a receiver listens.
    const w = await createWebhookWorld({
      allowPrivateNetworks: false,
      resolve: async () => [{ address: lookups++ === 0 ? "93.184.216.34" : "127.0.0.1", family: 4 }],
    });
    try {
      const hook = await createWebhook(w.deps, w.admin, ADMIN, {
        url: `http://rebind.test:${receiver.port}/hook`,
        events: ["*"],
      });
      await issueKey(w.deps, ADMIN, await w.consumerId(), { name: "k" });
      await w.until(
        async () =>
          ((await w.store.listDeliveries({ webhookId: hook.webhook.id, limit: 5 }))[0]?.attempts ?? 0) >= 2,
      );
      const [delivery] = await w.store.listDeliveries({ webhookId: hook.webhook.id, limit: 5 });
      expect(delivery?.status).toBe("pending");
      expect(delivery?.responseStatus).toBeNull();
      expect(delivery?.error).toContain("127.0.0.1");
      expect(receiver.received).toEqual([]);
    } finally {
      await w.close();
      await receiver.stop();
    }
  });
});
