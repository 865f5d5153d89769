import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { type SmtpCapture, startSmtpCapture } from "./support/smtp-capture.ts";

/**
 * Sign-in mail through real processes: a `keygate start` node on SQLite and
 * a real SMTP server on loopback. The mail is written in the same
 * transaction as the link, so a node killed right after answering 202 still
 * delivers it — once — after its restart; a server that refuses is retried.
 */

const LINK = /(http:\/\/\S+\/login\/kgl_[0-9a-f]{64})/;

let smtp: SmtpCapture;
let stack: KeygateStack;
let configDir: string;

async function askLink(email: string): Promise<number> {
  const res = await fetch(`${stack.portalUrl}/portal/v1/login-links`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  return res.status;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  configDir = mkdtempSync(join(tmpdir(), "keygate-mail-"));
  const configFile = join(configDir, "config.json");
  // The sender runs once at start and then only every 60 s, so a mail queued after the start
  // waits in the store: the kill below finds it unsent. The job lease is short so a restart
  // takes over at once.
  writeFileSync(
    configFile,
    JSON.stringify({
      jobs: { leaseTtlMs: 1000 },
      mail: { pollIntervalMs: 60_000, retryScheduleSeconds: [0.3], timeoutMs: 2000 },
    }),
  );
  stack = await startStack({
    configFile,
    env: { KEYGATE_SMTP_URL: smtp.url, KEYGATE_MAIL_FROM: "API keys <keys@provider.test>" },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe("sign-in mail", () => {
  it("survives a kill -9 right after the 202 and is delivered exactly once after the restart", async () => {
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", {
      name: "Crash Test",
      email: "crash@example.com",
    });
    expect(consumer.status).toBe(201);
    expect(await askLink("crash@example.com")).toBe(202);
    await stack.node.kill();
    expect(smtp.mails.filter((m) => m.to === "crash@example.com")).toHaveLength(0);
    // Past the dead holder's job lease, then a new process on the same database.
    await new Promise((r) => setTimeout(r, 1200));
    await stack.startNode();
    const mail = await smtp.waitFor((m) => m.to === "crash@example.com", 15_000);
    expect(mail.subject).toMatch(/sign-in link/i);
    expect(mail.messageId).toMatch(/^<mail_\w+@keygate>$/);
    // Give a duplicate every chance to show up, then count.
    await new Promise((r) => setTimeout(r, 2000));
    expect(smtp.mails.filter((m) => m.to === "crash@example.com")).toHaveLength(1);
    const link = LINK.exec(mail.text)?.[1] ?? "";
    const token = link.split("/login/")[1] ?? "";
    const session = await fetch(`${stack.portalUrl}/portal/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    expect(session.status).toBe(201);
    const state = await stack.admin<{ data: Array<{ kind: string; status: string; attempts: number }> }>(
      "GET",
      `/v1/consumers/${consumer.body.id}/mail`,
    );
    expect(state.body.data).toEqual([
      expect.objectContaining({ kind: "sign_in", status: "sent", attempts: 1 }),
    ]);
  }, 60_000);

  it("is retried when the SMTP server refuses, and the refusal is visible to operators", async () => {
    // A node of its own that polls often, so the retry 0.3 s after the refusal is taken at once.
    const file = join(configDir, "fast.json");
    writeFileSync(
      file,
      JSON.stringify({ mail: { pollIntervalMs: 100, retryScheduleSeconds: [0.3], timeoutMs: 2000 } }),
    );
    const fast = await startStack({
      configFile: file,
      env: { KEYGATE_SMTP_URL: smtp.url, KEYGATE_MAIL_FROM: "keys@provider.test" },
    });
    try {
      const consumer = await fast.admin<{ id: string }>("POST", "/v1/consumers", {
        name: "Retry Test",
        email: "retry@example.com",
      });
      smtp.refuseNext(2);
      const res = await fetch(`${fast.portalUrl}/portal/v1/login-links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "retry@example.com" }),
      });
      expect(res.status).toBe(202);
      await smtp.waitFor((m) => m.to === "retry@example.com", 15_000);
      expect(smtp.refused).toBe(2);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.mails.filter((m) => m.to === "retry@example.com")).toHaveLength(1);
      const state = await fast.admin<{
        data: Array<{ status: string; attempts: number; lastError: string | null }>;
      }>("GET", `/v1/consumers/${consumer.body.id}/mail`);
      // Sent on the third attempt, after two refusals.
      expect(state.body.data[0]).toMatchObject({ status: "sent", attempts: 3 });
    } finally {
      await fast.stop();
    }
  }, 60_000);
});
