import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CapturedMail,
  type SmtpCapture,
  startSmtpCapture,
} from "../../../../e2e/support/smtp-capture.ts";
import { leakPayload, newSigner, publicKeysDocument, signBody } from "../leaks/support/leak-fixtures.ts";
import { consumerSession, type PortalNode, startPortalNode } from "./portal-harness.ts";

/**
 * Every kind of consumer mail, triggered through the product (admin API,
 * portal, gateway traffic, the node's own jobs) and received by a real SMTP
 * server on loopback: once, with the facts it must state, and never a secret.
 */

let smtp: SmtpCapture;
let upstream: Server;
let t: PortalNode;
const signer = newSigner("c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee00");
const keysDir = mkdtempSync(join(tmpdir(), "keygate-mail-leaks-"));

interface Made {
  key: { id: string; name: string; hint: string };
  secret: string;
}

async function makeConsumer(name: string, email: string, plan?: string): Promise<string> {
  const res = await t.admin<{ id: string }>("POST", "/v1/consumers", {
    name,
    email,
    ...(plan ? { plan } : {}),
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function makeKey(consumerId: string, name: string): Promise<Made> {
  const res = await t.admin<Made>("POST", `/v1/consumers/${consumerId}/keys`, { name, scopes: ["read"] });
  expect(res.status).toBe(201);
  return res.body;
}

async function call(secret: string, times = 1): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res = await fetch(`${t.gatewayUrl}/v2/daily-ohlcv?symbol=ETH`, {
      headers: { "x-api-key": secret },
    });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

function mailsTo(address: string, subject?: RegExp): CapturedMail[] {
  return smtp.mails.filter((m) => m.to === address && (subject === undefined || subject.test(m.subject)));
}

function noSecretIn(mail: CapturedMail, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(mail.text).not.toContain(secret);
    expect(mail.html).not.toContain(secret);
  }
  expect(`${mail.text}${mail.html}`).not.toMatch(/kg_(live|test)_[A-Za-z0-9]{32}_/);
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  upstream = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const port = (upstream.address() as AddressInfo).port;
  const keysFile = join(keysDir, "github-public-keys.json");
  writeFileSync(keysFile, publicKeysDocument([signer]));
  t = await startPortalNode(
    {
      KEYGATE_SMTP_URL: smtp.url,
      KEYGATE_MAIL_FROM: "keys@provider.test",
      KEYGATE_LEAK_PUBLIC_KEYS: keysFile,
    },
    `http://127.0.0.1:${port}`,
  );
  const tiny = await t.admin("PUT", "/v1/plans/tiny", { quota: { limit: 10, period: "day" } });
  expect(tiny.status).toBe(200);
}, 30_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  rmSync(keysDir, { recursive: true, force: true });
});

describe("consumer mail", () => {
  it("key created: by the provider or in the portal, named once, without the secret", async () => {
    const id = await makeConsumer("Kim", "kim@example.com");
    const made = await makeKey(id, "Backtester");
    const mail = await smtp.waitFor((m) => m.to === "kim@example.com" && /Backtester/.test(m.subject));
    expect(mail.text).toContain(made.key.hint);
    expect(mail.text).toMatch(/by:\s+your provider/);
    expect(mail.text).toMatch(/\/keys\/key_/);
    noSecretIn(mail, made.secret);

    const session = await consumerSession(t, { name: "Lee", email: "lee@example.com", plan: "pro" });
    const created = await session.client.send("POST", "/portal/v1/keys", { name: "Self made" });
    const secret = ((await created.json()) as Made).secret;
    const own = await smtp.waitFor((m) => m.to === "lee@example.com" && /Self made/.test(m.subject));
    expect(own.text).toMatch(/by:\s+you, in the portal/);
    noSecretIn(own, secret);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo("kim@example.com", /Backtester/)).toHaveLength(1);
  });

  it("key revoked: says who, and what to do", async () => {
    const id = await makeConsumer("Rae", "rae@example.com");
    const made = await makeKey(id, "Old laptop");
    expect((await t.admin("POST", `/v1/keys/${made.key.id}/revoke`, { reason: "compromised" })).status).toBe(
      200,
    );
    const mail = await smtp.waitFor((m) => m.to === "rae@example.com" && /revoked/.test(m.subject));
    expect(mail.text).toContain("Old laptop");
    expect(mail.text).toMatch(/401 KEY_REVOKED/);
    noSecretIn(mail, made.secret);
  });

  it("key reported leaked: what happened and what to do, and no second 'revoked' mail", async () => {
    const id = await makeConsumer("Lea", "lea@example.com");
    const made = await makeKey(id, "Pasted");
    const body = leakPayload([made.secret], "gist");
    const res = await fetch(`${t.adminUrl}/v1/leaks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "github-public-key-identifier": signer.identifier,
        "github-public-key-signature": signBody(signer, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to === "lea@example.com" && /found in public/.test(m.subject));
    expect(mail.text).toMatch(/\(gist\)/);
    expect(mail.text).toMatch(/revoked/);
    noSecretIn(mail, made.secret);
    await new Promise((r) => setTimeout(r, 1000));
    expect(mailsTo("lea@example.com", /was revoked/)).toHaveLength(0);
  });

  it("rotation due: the due date, the sunset and how to rotate", async () => {
    const id = await makeConsumer("Dee", "dee@example.com");
    const made = await makeKey(id, "Prod");
    const sunsetAt = new Date(t.clock.now() + 7 * 86_400_000).toISOString();
    expect((await t.admin("POST", `/v1/keys/${made.key.id}/request-rotation`, { sunsetAt })).status).toBe(
      200,
    );
    const mail = await smtp.waitFor((m) => m.to === "dee@example.com" && /rotate/i.test(m.subject));
    expect(mail.text).toContain(new Date(sunsetAt).toUTCString());
    expect(mail.text).toMatch(/autoRotate/);
    expect(mail.html).toMatch(/<a href="http:\/\/[^"]+\/keys\/key_/);
  });

  it("sunset approaching while the old key still has traffic: names the traffic; a consumer that migrated gets none", async () => {
    const lingering = await makeConsumer("Lin", "lin@example.com");
    const migrated = await makeConsumer("Mig", "mig@example.com");
    const a = await makeKey(lingering, "Lingering");
    const b = await makeKey(migrated, "Migrated");
    const rotate = async (keyId: string) =>
      (await t.admin<{ secret: string }>("POST", `/v1/keys/${keyId}/rotate`, { overlapSeconds: 1800 })).body;
    const aNew = await rotate(a.key.id);
    const bNew = await rotate(b.key.id);
    expect(await call(a.secret, 3)).toEqual([200, 200, 200]);
    expect(await call(bNew.secret, 3)).toEqual([200, 200, 200]);
    const mail = await smtp.waitFor(
      (m) => m.to === "lin@example.com" && /still in use/.test(m.subject),
      15_000,
    );
    expect(mail.text).toMatch(/3 requests in the last hour/);
    expect(mail.text).toMatch(/\/rotations\/rot_/);
    noSecretIn(mail, a.secret, aNew.secret);
    await new Promise((r) => setTimeout(r, 2500));
    expect(mailsTo("mig@example.com", /still in use/)).toHaveLength(0);
  }, 30_000);

  it("expired while still in use, and not for a key nobody used", async () => {
    const busy = await makeConsumer("Bea", "bea@example.com");
    const idle = await makeConsumer("Ida", "ida@example.com");
    const a = await makeKey(busy, "Busy");
    const b = await makeKey(idle, "Idle");
    const soon = new Date(t.clock.now() + 2000).toISOString();
    expect((await t.admin("POST", `/v1/keys/${a.key.id}/request-rotation`, { sunsetAt: soon })).status).toBe(
      200,
    );
    expect((await t.admin("POST", `/v1/keys/${b.key.id}/request-rotation`, { sunsetAt: soon })).status).toBe(
      200,
    );
    expect(await call(a.secret)).toEqual([200]);
    // The policy job expires due keys at their sunset; the busy key's mail follows.
    const mail = await smtp.waitFor((m) => m.to === "bea@example.com" && /expired/.test(m.subject), 20_000);
    expect(mail.text).toMatch(/401 KEY_EXPIRED/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsTo("ida@example.com", /expired/)).toHaveLength(0);
  }, 30_000);

  it("quota at 80 % and at 100 %: once each, and the quota.threshold event as well", async () => {
    const id = await makeConsumer("Quinn", "quinn@example.com", "tiny");
    const made = await makeKey(id, "Quota");
    const statuses = await call(made.secret, 12);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const eighty = await smtp.waitFor((m) => m.to === "quinn@example.com" && /80 %/.test(m.subject), 15_000);
    expect(eighty.text).toMatch(/of your 10 requests/);
    await smtp.waitFor((m) => m.to === "quinn@example.com" && /used up/.test(m.subject), 15_000);
    await call(made.secret, 3);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsTo("quinn@example.com", /80 %/)).toHaveLength(1);
    expect(mailsTo("quinn@example.com", /used up/)).toHaveLength(1);
    const alerts = await t.admin<{
      data: Array<{ type: string; data: { consumerId: string; threshold: number } }>;
    }>("GET", "/v1/alerts?limit=100");
    const mine = alerts.body.data.filter((a) => a.type === "quota.threshold" && a.data.consumerId === id);
    expect(mine.map((a) => a.data.threshold).sort()).toEqual([100, 80]);
  }, 30_000);

  it("a consumer can turn optional mail off in the portal, but not security mail", async () => {
    const session = await consumerSession(t, { name: "Opt", email: "opt@example.com", plan: "tiny" });
    const me = (await (await session.client.get("/portal/v1/me")).json()) as {
      notifications: Record<string, boolean>;
    };
    expect(me.notifications).toMatchObject({ quota_80: true, quota_100: true, rotation_due: true });
    expect(me.notifications).not.toHaveProperty("key_created");
    const off = await session.client.send("PATCH", "/portal/v1/me", {
      notifications: { quota_80: false, quota_100: false },
    });
    expect(off.status).toBe(200);
    const security = await session.client.send("PATCH", "/portal/v1/me", {
      notifications: { key_created: false },
    });
    expect(security.status).toBe(400);
    const made = (await (
      await session.client.send("POST", "/portal/v1/keys", { name: "Quiet" })
    ).json()) as Made;
    await call(made.secret, 12);
    await smtp.waitFor((m) => m.to === "opt@example.com" && /Quiet/.test(m.subject));
    await new Promise((r) => setTimeout(r, 2500));
    expect(mailsTo("opt@example.com", /quota|80 %|used up/)).toHaveLength(0);
  }, 30_000);

  it("delivery state per mail is visible to operators", async () => {
    const id = await makeConsumer("Sam", "sam@example.com");
    await makeKey(id, "Tracked");
    await smtp.waitFor((m) => m.to === "sam@example.com");
    const state = await t.admin<{ data: Array<{ kind: string; status: string; to: string }> }>(
      "GET",
      `/v1/consumers/${id}/mail`,
    );
    expect(state.body.data).toEqual([
      expect.objectContaining({ kind: "key_created", status: "sent", to: "sam@example.com" }),
    ]);
  });
});
