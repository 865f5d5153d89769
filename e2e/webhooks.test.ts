/**
 * Webhooks survive a receiver outage and a node restart: a webhook points at
 * a receiver that is DOWN, key events happen, the keygate node is stopped
 * (SIGTERM) and a new node starts on the same SQLite file, then the receiver
 * comes up. Every event keygate wrote to its outbox after the webhook was
 * registered must arrive, signed so the `standardwebhooks` package verifies
 * it; duplicates, if any, carry the same `webhook-id`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookReceiver } from "../packages/server/test/webhooks/support/webhook-receiver.ts";
import { freePort } from "./support/free-port.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { spawnProcess } from "./support/spawn-process.ts";

interface Created {
  webhook: { id: string; createdAt: string };
  secret: string;
}
interface Delivery {
  eventId: string;
  status: string;
  attempt: number;
  error: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(
  what: string,
  done: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe("webhooks across a receiver outage and a node restart (real processes)", () => {
  let stack: KeygateStack;
  let receiver: WebhookReceiver | undefined;
  let configDir: string;
  let receiverPort: number;

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), "keygate-e2e-webhooks-"));
    const configFile = join(configDir, "keygate.json");
    // Short retries so the test runs in seconds; loopback allowed explicitly for the local receiver.
    writeFileSync(
      configFile,
      JSON.stringify({
        webhooks: {
          allowPrivateNetworks: true,
          retryScheduleSeconds: [0.2, 0.5, 1],
          maxAttempts: 1000,
          pollIntervalMs: 100,
          timeoutMs: 2000,
        },
        jobs: { intervalMs: 200, leaseTtlMs: 3000 },
      }),
    );
    receiverPort = await freePort();
    stack = await startStack({ configFile });
  });
  afterAll(async () => {
    await receiver?.stop();
    await stack?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  const deliveries = async (webhookId: string) => {
    const res = await stack.admin<{ data: Delivery[] }>(
      "GET",
      `/v1/webhooks/${webhookId}/deliveries?limit=1000`,
    );
    expect(res.status).toBe(200);
    return res.body.data;
  };

  it("delivers every event once the receiver is back, none lost, all verifiable", async () => {
    const receiverUrl = `http://127.0.0.1:${receiverPort}/hooks/keygate`;
    const created = await stack.admin<Created>("POST", "/v1/webhooks", { url: receiverUrl, events: ["*"] });
    expect(created.status).toBe(201);
    const { webhook, secret } = created.body;

    // Events: created, rotated, revoked (which completes the rotation), an emergency rotation.
    const keySecrets: string[] = [];
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: "webhook e2e" });
    const a = await stack.admin<{ key: { id: string }; secret: string }>(
      "POST",
      `/v1/consumers/${consumer.body.id}/keys`,
      { name: "a" },
    );
    keySecrets.push(a.body.secret);
    const rotated = await stack.admin<{ key: { id: string }; secret: string }>(
      "POST",
      `/v1/keys/${a.body.key.id}/rotate`,
      { overlapSeconds: 3600 },
    );
    expect(rotated.status).toBe(201);
    keySecrets.push(rotated.body.secret);
    expect((await stack.admin("POST", `/v1/keys/${a.body.key.id}/revoke`, { reason: "e2e" })).status).toBe(
      200,
    );
    const c = await stack.admin<{ key: { id: string }; secret: string }>(
      "POST",
      `/v1/consumers/${consumer.body.id}/keys`,
      { name: "c" },
    );
    keySecrets.push(c.body.secret);
    const emergency = await stack.admin<{ secret: string }>("POST", `/v1/keys/${c.body.key.id}/rotate`, {
      overlapSeconds: 0,
    });
    keySecrets.push(emergency.body.secret);

    // The receiver is down: every delivery is attempted, fails, and stays pending.
    await until("failed attempts logged while the receiver is down", async () => {
      const ds = await deliveries(webhook.id);
      return ds.length >= 5 && ds.every((d) => d.status === "pending" && d.attempt >= 2);
    });
    const whileDown = await deliveries(webhook.id);
    expect(whileDown.every((d) => d.error !== null)).toBe(true);

    await stack.stopNode();
    const firstNodeOutput = stack.node.output();
    expect(firstNodeOutput).toContain("webhook attempt failed");
    await stack.startNode();
    receiver = await WebhookReceiver.start(receiverPort);

    // Ground truth: what keygate wrote to its outbox, read from the database file itself.
    const db = new Database(join(stack.dataDir, "keygate.db"), { readonly: true });
    const outbox = db
      .prepare("select id, type from outbox where at >= ? order by id")
      .all(Date.parse(webhook.createdAt)) as { id: string; type: string }[];
    db.close();
    expect(outbox.map((e) => e.type).sort()).toEqual(
      [
        "key.created",
        "key.created",
        "key.revoked",
        "key.rotated",
        "key.rotated",
        "rotation.completed",
        "rotation.completed",
      ].sort(),
    );
    const expected = new Set(outbox.map((e) => e.id));

    await until(
      "every event received",
      () => new Set(receiver?.received.map((r) => r.headers["webhook-id"])).size >= expected.size,
    );
    await until("every delivery marked delivered", async () =>
      (await deliveries(webhook.id)).every((d) => d.status === "delivered"),
    );

    const received = receiver.received;
    const verifier = new StandardWebhook(secret);
    const byId = new Map<string, string>();
    for (const request of received) {
      const payload = verifier.verify(request.body, request.headers) as { type: string };
      const id = request.headers["webhook-id"] ?? "";
      // A duplicate (at-least-once) is the same event: same id, same body.
      if (byId.has(id)) expect(request.body).toBe(byId.get(id));
      byId.set(id, request.body);
      expect(outbox.find((e) => e.id === id)?.type).toBe(payload.type);
      for (const keySecret of keySecrets) expect(request.body).not.toContain(keySecret);
    }
    expect(new Set(byId.keys())).toEqual(expected);
    expect((await deliveries(webhook.id)).map((d) => d.eventId).sort()).toEqual([...expected].sort());

    // Manual redelivery through the CLI: the same event again, under the same webhook-id.
    const cli = async (...args: string[]) => {
      const run = spawnProcess(["packages/server/bin/keygate.js", ...args], {
        KEYGATE_URL: stack.adminUrl,
        KEYGATE_ADMIN_TOKEN: stack.adminToken,
      });
      expect(await run.exited(), run.output()).toBe(0);
      return run.output();
    };
    const listed = JSON.parse(await cli("webhooks", "deliveries", webhook.id, "--json")) as {
      id: string;
      eventId: string;
    }[];
    expect(listed.map((d) => d.eventId).sort()).toEqual([...expected].sort());
    const target = listed[0];
    if (!target) throw new Error("no delivery listed");
    const before = received.length;
    expect(await cli("webhooks", "redeliver", webhook.id, target.id)).toContain("queued");
    await until("redelivered", () => (receiver?.received.length ?? 0) > before);
    const again = receiver.received[before];
    expect(again?.headers["webhook-id"]).toBe(target.eventId);
    expect(verifier.verify(again?.body ?? "", again?.headers ?? {})).toBeTruthy();
    expect(await cli("webhooks", "attempts", webhook.id, target.id)).toMatch(/true\s+200/);

    const logs = firstNodeOutput + stack.node.output();
    expect(logs).toContain("webhook delivered");
    for (const s of [secret, ...keySecrets, stack.adminToken]) expect(logs).not.toContain(s);
  }, 90_000);
});
