import { pino } from "pino";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildAdminApp } from "../../src/admin/admin-app.ts";
import { cryptoRandom } from "../../src/platform/node-platform.ts";
import { OutboundUrlGuard } from "../../src/webhooks/outbound-url-guard.ts";
import { webhookStoreOf } from "../../src/webhooks/webhook-admin.ts";
import { WebhookDispatcher } from "../../src/webhooks/webhook-dispatcher.ts";
import { WebhookSender } from "../../src/webhooks/webhook-sender.ts";
import { createHarness, type Harness, json } from "../admin/support/admin-harness.ts";
import { expectDeclared, expectProblem } from "../admin/support/declared.ts";
import { WebhookReceiver } from "./support/webhook-receiver.ts";

interface WebhookBody {
  webhook: { id: string; url: string; events: string[]; secretRotatedAt: string | null; disabled: boolean };
  secret: string;
}

describe("webhook endpoints (admin API, loopback allowed by config)", () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let app: Awaited<ReturnType<typeof buildAdminApp>>;
  const guard = new OutboundUrlGuard({ allowPrivateNetworks: true });

  beforeEach(async () => {
    h = await createHarness();
    receiver = await WebhookReceiver.start();
    app = await buildAdminApp({
      deps: h.deps,
      propagation: h.bus,
      verify: async () => {
        throw new Error("not used");
      },
      ready: async () => true,
      metrics: async () => "",
      nodeId: "node-test",
      webhooks: { guard },
    });
  });
  afterEach(async () => {
    await app.close();
    await receiver.stop();
    await h.close();
  });

  const call = (method: "GET" | "POST" | "DELETE", url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${h.rootToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  async function register(events: string[] = ["*"]): Promise<WebhookBody> {
    return expectDeclared<WebhookBody>(
      await call("POST", "/v1/webhooks", { url: receiver.url, events, description: "ops" }),
      "createWebhook",
      201,
    );
  }

  async function dispatchOnce(): Promise<void> {
    const sender = new WebhookSender({ guard, timeoutMs: 2000 });
    try {
      await new WebhookDispatcher({
        store: webhookStoreOf(h.store),
        sender,
        clock: { now: () => Date.now() },
        random: cryptoRandom,
        logger: pino({ level: "silent" }),
        retry: { scheduleMs: [60_000], maxAttempts: 3 },
        concurrency: 2,
        claimLeaseMs: 5000,
      }).runPass(new AbortController().signal);
    } finally {
      await sender.close();
    }
  }

  it("registers an endpoint, shows its secret once, and lists and reads it without", async () => {
    const before = await h.auditLength();
    const created = await register(["key.rotated", "key.revoked", "key.rotated"]);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.webhook).toMatchObject({
      url: receiver.url,
      events: ["key.rotated", "key.revoked"],
      disabled: false,
      secretRotatedAt: null,
      description: "ops",
    });
    expect(created.webhook.id).toMatch(/^whk_/);

    const list = expectDeclared<{ data: WebhookBody["webhook"][]; next: string | null }>(
      await call("GET", "/v1/webhooks"),
      "listWebhooks",
      200,
    );
    expect(list.data).toEqual([created.webhook]);
    expect(list.next).toBeNull();
    const one = await call("GET", `/v1/webhooks/${created.webhook.id}`);
    expect(expectDeclared(one, "getWebhook", 200)).toEqual(created.webhook);
    for (const response of [one, await call("GET", "/v1/webhooks")])
      expect(response.body).not.toContain("whsec_");

    expect(await h.auditLength()).toBe(before + 1);
    const audit = await h.store.listAudit({ after: String(before), limit: 10 });
    expect(audit[0]).toMatchObject({
      action: "webhook.create",
      targetType: "webhook",
      targetId: created.webhook.id,
    });
    expect(JSON.stringify(audit)).not.toContain(created.secret);
  });

  it("pages the list with next", async () => {
    // The harness clock stands still, so ids made in one millisecond sort by their random part.
    const ids = [
      (await register()).webhook.id,
      (await register()).webhook.id,
      (await register()).webhook.id,
    ].sort();
    const first = json<{ data: { id: string }[]; next: string }>(await call("GET", "/v1/webhooks?limit=2"));
    expect(first.data.map((w) => w.id)).toEqual(ids.slice(0, 2));
    const second = json<{ data: { id: string }[]; next: null }>(
      await call("GET", `/v1/webhooks?limit=2&after=${first.next}`),
    );
    expect(second.data.map((w) => w.id)).toEqual(ids.slice(2));
    expect(second.next).toBeNull();
  });

  it("refuses bad input with VALIDATION_FAILED naming each field", async () => {
    const cases: [unknown, string][] = [
      [{ url: receiver.url, events: ["key.nope"] }, "/body/events/0"],
      [{ url: receiver.url, events: [] }, "/body/events"],
      [{ events: ["*"] }, "/body/url"],
      [{ url: "ftp://127.0.0.1/x", events: ["*"] }, "/body/url"],
      [{ url: "http://user:pw@127.0.0.1/x", events: ["*"] }, "/body/url"],
      [{ url: "not a url", events: ["*"] }, "/body/url"],
      [{ url: receiver.url, events: ["*"], extra: 1 }, "/body/extra"],
    ];
    for (const [body, path] of cases) {
      const problem = expectProblem(await call("POST", "/v1/webhooks", body), 400, "VALIDATION_FAILED");
      expect(
        problem.errors?.map((e) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect(json<{ data: unknown[] }>(await call("GET", "/v1/webhooks")).data).toEqual([]);
  });

  it("rotates the secret: a new one, once; the overlap is validated", async () => {
    const created = await register();
    const rotated = expectDeclared<WebhookBody>(
      await call("POST", `/v1/webhooks/${created.webhook.id}/rotate-secret`, { overlapSeconds: 600 }),
      "rotateWebhookSecret",
      200,
    );
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.webhook.secretRotatedAt).not.toBeNull();
    expect(json(await call("GET", `/v1/webhooks/${created.webhook.id}`))).toEqual(rotated.webhook);
    const noBody = await call("POST", `/v1/webhooks/${created.webhook.id}/rotate-secret`);
    expect(noBody.statusCode).toBe(200);
    expectProblem(
      await call("POST", `/v1/webhooks/${created.webhook.id}/rotate-secret`, { overlapSeconds: -1 }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(await call("POST", "/v1/webhooks/whk_unknown1/rotate-secret"), 404, "NOT_FOUND");
  });

  it("shows the delivery log, one delivery with its attempts, and redelivers on request", async () => {
    const created = await register(["key.created"]);
    receiver.respond = () => 500;
    const consumer = json<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "c" } }),
    );
    await h.call({ method: "POST", url: `/v1/consumers/${consumer.id}/keys`, body: { name: "k" } });
    await dispatchOnce();
    expect(receiver.received).toHaveLength(1);

    const log = expectDeclared<{
      data: {
        id: string;
        eventId: string;
        status: string;
        attempt: number;
        responseStatus: number;
        nextAttemptAt: string;
      }[];
      next: null;
    }>(await call("GET", `/v1/webhooks/${created.webhook.id}/deliveries`), "listWebhookDeliveries", 200);
    expect(log.data).toHaveLength(1);
    const [delivery] = log.data;
    if (!delivery) throw new Error("no delivery");
    expect(delivery).toMatchObject({
      eventType: "key.created",
      status: "pending",
      attempt: 1,
      responseStatus: 500,
    });
    expect(Date.parse(delivery.nextAttemptAt)).toBeGreaterThan(Date.now() + 40_000);
    expect(delivery.eventId).toBe(receiver.received[0]?.headers["webhook-id"]);

    const detail = expectDeclared<{
      attempts: { attempt: number; ok: boolean; responseStatus: number; error: string }[];
    }>(
      await call("GET", `/v1/webhooks/${created.webhook.id}/deliveries/${delivery.id}`),
      "getWebhookDelivery",
      200,
    );
    expect(detail.attempts).toMatchObject([
      { attempt: 1, ok: false, responseStatus: 500, error: "HTTP 500: receiver says no" },
    ]);

    receiver.respond = () => 200;
    const queued = expectDeclared<{ delivery: { status: string; nextAttemptAt: string } }>(
      await call("POST", `/v1/webhooks/${created.webhook.id}/deliveries/${delivery.id}/redeliver`),
      "redeliverWebhook",
      202,
    );
    expect(queued.delivery.status).toBe("pending");
    await dispatchOnce();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.headers["webhook-id"]).toBe(delivery.eventId);
    new StandardWebhook(created.secret).verify(
      receiver.received[1]?.body ?? "",
      receiver.received[1]?.headers ?? {},
    );
    const after = json<{ data: { status: string; attempt: number; nextAttemptAt: null }[] }>(
      await call("GET", `/v1/webhooks/${created.webhook.id}/deliveries`),
    );
    expect(after.data[0]).toMatchObject({ status: "delivered", attempt: 2, nextAttemptAt: null });

    const other = await register();
    expectProblem(
      await call("POST", `/v1/webhooks/${other.webhook.id}/deliveries/${delivery.id}/redeliver`),
      404,
      "NOT_FOUND",
    );
    expectProblem(
      await call("GET", `/v1/webhooks/${created.webhook.id}/deliveries/dlv_unknown1`),
      404,
      "NOT_FOUND",
    );
    expectProblem(await call("GET", "/v1/webhooks/whk_unknown1/deliveries"), 404, "NOT_FOUND");
  });

  it("deletes an endpoint: 204, then 404 and gone from the list", async () => {
    const created = await register();
    const deleted = await call("DELETE", `/v1/webhooks/${created.webhook.id}`);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe("");
    expectProblem(await call("GET", `/v1/webhooks/${created.webhook.id}`), 404, "NOT_FOUND");
    expectProblem(await call("DELETE", `/v1/webhooks/${created.webhook.id}`), 404, "NOT_FOUND");
    expect(json<{ data: unknown[] }>(await call("GET", "/v1/webhooks")).data).toEqual([]);
    const audit = await h.store.listAudit({ limit: 1000 });
    expect(audit.at(-1)).toMatchObject({ action: "webhook.delete", targetId: created.webhook.id });
  });
});

describe("webhook registration with the default policy (private networks refused)", () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    h = await createHarness();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await h.close();
  });

  it.each([
    "http://10.0.0.1/hook",
    "http://127.0.0.1:PORT/hook",
    "http://[::1]:PORT/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]:PORT/hook",
    "http://localhost:PORT/hook",
    "http://0x7f000001:PORT/hook",
    "https://192.168.1.10/hook",
  ])("refuses %s with VALIDATION_FAILED, stores nothing and sends nothing", async (pattern) => {
    const url = pattern.replace("PORT", String(receiver.port));
    const before = await h.auditLength();
    const problem = expectProblem(
      await h.call({ method: "POST", url: "/v1/webhooks", body: { url, events: ["*"] } }),
      400,
      "VALIDATION_FAILED",
    );
    expect(problem.errors?.[0]?.path).toBe("/body/url");
    expect(problem.errors?.[0]?.message).toMatch(/loopback, private, link-local or reserved/);
    expect(await h.auditLength()).toBe(before);
    expect(json<{ data: unknown[] }>(await h.call({ method: "GET", url: "/v1/webhooks" })).data).toEqual([]);
    expect(receiver.received).toEqual([]);
  });
});
